from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from motcua.accounts import views as account_views
from motcua.config.api import api

admin.site.site_header = "motcua — Quản trị hệ thống một cửa điện tử"
admin.site.site_title = "motcua"
admin.site.index_title = "Quản trị"

urlpatterns = [
    path("api/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("quan-tri/", admin.site.urls),
    path("can-bo/", include("motcua.backoffice.urls")),
    path(
        "dang-nhap/",
        auth_views.LoginView.as_view(
            template_name="motcua/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("dang-nhap/ma-xac-thuc/", account_views.otp_verify, name="otp-verify"),
    path("tai-khoan/xac-thuc-hai-buoc/", account_views.otp_enrol, name="otp-enrol"),
    path("dang-xuat/", auth_views.LogoutView.as_view(next_page="portal:catalogue"), name="logout"),
    path("", include("motcua.portal.urls")),
]

if settings.DEBUG:  # pragma: no cover
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
