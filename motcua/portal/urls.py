from django.urls import path

from motcua.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("thu-tuc/", views.catalogue, name="catalogue-search"),
    path("thu-tuc/<str:code>/", views.procedure, name="procedure"),
    path("don-vi/", views.units, name="units"),
    path("don-vi/<str:code>/niem-yet/", views.posting_sheet_view, name="posting-sheet"),
    path("tinh-han/", views.deadline, name="deadline"),
]
