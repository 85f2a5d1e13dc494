app_name = "data"

urlpatterns = []
