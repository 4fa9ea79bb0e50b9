from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api import export, pages, views

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("divisions", views.DivisionViewSet, basename="division")
router.register("communities", views.CommunityViewSet, basename="community")
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("facilities", views.FacilityViewSet, basename="facility")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("disclosures", views.DisclosureViewSet, basename="disclosure")
router.register("allocations", views.AllocationViewSet, basename="allocation")
router.register("expenditures", views.ExpenditureViewSet, basename="expenditure")
router.register("tasks", views.AssignedTaskViewSet, basename="task")
router.register("elections", views.ElectionViewSet, basename="election")
router.register("notices", views.NoticeViewSet, basename="notice")
router.register("standards", views.StandardViewSet, basename="standard")
router.register("findings", views.FindingViewSet, basename="finding")
router.register("rollups", views.RollupViewSet, basename="rollup")

urlpatterns = [
    path("api/v1/export/", export.Export.as_view(), name="export"),
    path("api/v1/", include(router.urls)),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: the page needs no inline script.
    path(
        "api/v1/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    path("account/tokens/", pages.tokens, name="tokens"),
    path("account/tokens/<int:pk>/revoke/", pages.token_revoke, name="token_revoke"),
]
