app_name = "induction"

urlpatterns = []
