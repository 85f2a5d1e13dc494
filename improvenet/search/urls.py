from django.urls import path

from improvenet.search import views

app_name = "search"

urlpatterns = [
    path("search/", views.network_search, name="network"),
    path("clusters/<slug:cluster>/search/", views.cluster_search, name="cluster"),
]
