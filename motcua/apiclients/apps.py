from django.apps import AppConfig


class ApiClientsConfig(AppConfig):
    name = "motcua.apiclients"
    label = "apiclients"
    verbose_name = "Ứng dụng kết nối API"
