"""Product pilots: products of partner companies and their pilots in the cluster's schools."""
from django.urls import path

from improvenet.pilots import views

app_name = "pilots"

p = "clusters/<slug:cluster>/pilots"
urlpatterns = [
    path(f"{p}/", views.index, name="index"),
    path(f"{p}/products/new/", views.product_new, name="product_new"),
    path(f"{p}/products/<int:product_id>/", views.product_page, name="product"),
    path(f"{p}/products/<int:product_id>/edit/", views.product_edit, name="product_edit"),
    path(f"{p}/new/", views.pilot_new, name="new"),
    path(f"{p}/<int:pilot_id>/", views.pilot_page, name="pilot"),
    path(f"{p}/<int:pilot_id>/edit/", views.pilot_edit, name="edit"),
    path(f"{p}/<int:pilot_id>/advance/", views.pilot_advance, name="advance"),
    path(f"{p}/<int:pilot_id>/decide/", views.pilot_decide, name="decide"),
    path(f"{p}/<int:pilot_id>/use-study/", views.pilot_use_study, name="use_study"),
    path(f"{p}/<int:pilot_id>/usage/", views.usage_upload, name="usage"),
    path(f"{p}/<int:pilot_id>/report/", views.report_page, name="report"),
]
