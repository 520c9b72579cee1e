from django.urls import path  # noqa: F401 - the back-office screens add their routes here

app_name = "backoffice"
urlpatterns: list = []
