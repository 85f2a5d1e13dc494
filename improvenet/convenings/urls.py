app_name = "convenings"

urlpatterns = []
