from django.urls import path

from motcua.backoffice import views

app_name = "backoffice"
urlpatterns = [
    path("", views.home, name="home"),
    path("tiep-nhan/", views.reception, name="reception"),
    path("tiep-nhan/moi/", views.intake, name="intake"),
    path("tiep-nhan/thanh-phan/", views.intake_components, name="intake-components"),
    path("viec-cua-toi/", views.my_work, name="my-work"),
    path("lanh-dao/", views.leader, name="leader"),
    path("tong-quan/", views.overview, name="overview"),
    path("so-theo-doi.pdf", views.register_pdf, name="register"),
    path("nhat-ky-truy-cap/", views.access_log, name="access-log"),
    path("ho-so/<str:ref>/", views.dossier_detail, name="dossier"),
    path("ho-so/<str:ref>/mau-<str:form>.pdf", views.dossier_form_pdf, name="dossier-form"),
    path("ho-so/<str:ref>/<slug:action>/", views.dossier_action, name="dossier-action"),
]
