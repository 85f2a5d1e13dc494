app_name = "learning"

urlpatterns = []
