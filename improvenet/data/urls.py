from django.urls import path

from improvenet.data import views

app_name = "data"

BASE = "clusters/<slug:cluster>/data/"

urlpatterns = [
    path(BASE, views.home, name="home"),
    path(BASE + "load/", views.load, name="load"),
    path(BASE + "load/results/", views.warm, name="warm"),
    path(BASE + "opt-out/", views.opt_out, name="opt_out"),
    path(BASE + "metrics/<slug:name>/", views.metric_page, name="metric"),
    path(BASE + "metrics/<slug:name>/csv/", views.metric_csv, name="metric_csv"),
    path(BASE + "compare/", views.comparison, name="comparison"),
    path(BASE + "agreements/", views.agreement_list, name="agreements"),
    path(BASE + "agreements/new/", views.agreement_new, name="agreement_new"),
    path(BASE + "agreements/<int:pk>/", views.agreement_detail, name="agreement"),
    path(BASE + "agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path(BASE + "agreements/<int:pk>/end/", views.agreement_end, name="agreement_end"),
    path(BASE + "audit/", views.audit_log, name="audit"),
    path(BASE + "audit/csv/", views.audit_csv, name="audit_csv"),
]
