from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from compliance import views as compliance_views
from core.auth import LoginForm
from divisions import views as divisions_views
from portal import views

compliance_patterns = [
    path("c/<str:code>/compliance/", compliance_views.community_compliance, name="community"),
    path(
        "c/<str:code>/compliance/print/", compliance_views.community_report, name="community_report"
    ),
    path("d/<str:code>/report/", compliance_views.division_report, name="division_report"),
    path("d/<str:code>/compliance.xlsx", compliance_views.division_matrix, name="division_matrix"),
    path("d/<str:code>/evaluate/", compliance_views.division_evaluate, name="division_evaluate"),
    path("standards/", compliance_views.standard_list, name="standard_list"),
    path("standards/new/", compliance_views.standard_create, name="standard_create"),
    path("standards/documents/new/", compliance_views.document_create, name="document_create"),
    path("standards/<str:code>/", compliance_views.standard_detail, name="standard_detail"),
]

handler500 = "core.faults.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("d/", views.national, name="national"),
    path("d/<str:code>/", views.division_detail, name="division"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="portal/login.html",
            redirect_authenticated_user=True,
            authentication_form=LoginForm,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("jobs.urls")),
    path("", include("committees.urls")),
    path("", include("facilities.urls")),
    path("", include("funding.urls")),
    path("", include("grassroots.urls")),
    path("", include("elections.urls")),
    path("", include("governance.urls")),
    path("", include("surveys.urls")),
    path("", include("supervision.urls")),
    path("", include((compliance_patterns, "compliance"))),
    path("", include("api.urls")),
    path(
        "c/<str:code>/history/<str:app_label>/<str:model_name>/<int:pk>/",
        divisions_views.record_history,
        name="history",
    ),
]
