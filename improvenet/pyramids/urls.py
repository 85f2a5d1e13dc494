app_name = "pyramids"

urlpatterns = []
