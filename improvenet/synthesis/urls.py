from django.urls import path

from improvenet.synthesis import views

app_name = "synthesis"

c = "clusters/<slug:cluster>/ledger"
SUBJECTS = (("ideas", "change_idea", "idea"), ("innovations", "innovation", "innovation"),
            ("products", "product", "product"))
urlpatterns = [
    path(f"{c}/", views.ledger_index, name="index"),
    path(f"{c}/studies/<int:study_id>/edit/", views.study_edit, name="study_edit"),
    path(f"{c}/schools/<int:estimate_id>/edit/", views.school_estimate_edit, name="school_estimate_edit"),
]
for folder, kind, name in SUBJECTS:
    here = f"{c}/{folder}/<int:subject_id>"
    urlpatterns += [
        path(f"{here}/", views.ledger_page, {"kind": kind}, name=name),
        path(f"{here}/forest-<str:scale>.<str:fmt>", views.forest_download, {"kind": kind}, name=f"{name}_forest"),
        path(f"{here}/studies/new/", views.study_new, {"kind": kind}, name=f"{name}_study_new"),
        path(f"{here}/studies/upload/", views.studies_upload, {"kind": kind}, name=f"{name}_studies_upload"),
        path(f"{here}/schools/new/", views.school_estimate_new, {"kind": kind}, name=f"{name}_school_new"),
        path(f"{here}/schools/from-store/", views.school_estimates_from_store, {"kind": kind},
             name=f"{name}_schools_from_store"),
    ]
