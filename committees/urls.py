from django.urls import path

from committees import views

app_name = "committees"

urlpatterns = [
    path("communities/", views.community_list, name="community_list"),
    path("communities/export.xlsx", views.community_export, name="community_export"),
    path("c/<str:code>/", views.community_detail, name="community"),
    path("c/<str:code>/edit/", views.community_edit, name="community_edit"),
    path("c/<str:code>/people/", views.people, name="people"),
    path("c/<str:code>/people/new/", views.person_create, name="person_create"),
    path("c/<str:code>/people/<int:pk>/", views.person_detail, name="person"),
    path("c/<str:code>/people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path(
        "c/<str:code>/people/<int:pk>/training/new/", views.training_create, name="training_create"
    ),
    path(
        "c/<str:code>/people/<int:pk>/qualifications/new/",
        views.qualification_create,
        name="qualification_create",
    ),
    path("c/<str:code>/organizations/new/", views.organization_create, name="organization_create"),
    path(
        "c/<str:code>/organizations/<int:pk>/edit/",
        views.organization_edit,
        name="organization_edit",
    ),
    path("c/<str:code>/memberships/new/", views.membership_create, name="membership_create"),
    path("c/<str:code>/memberships/<int:pk>/edit/", views.membership_edit, name="membership_edit"),
    path("c/<str:code>/memberships/<int:pk>/end/", views.membership_end, name="membership_end"),
    path("c/<str:code>/training/", views.training_log, name="training_log"),
    path("c/<str:code>/roster/template.xlsx", views.roster_template, name="roster_template"),
    path("c/<str:code>/roster/import/", views.roster_import, name="roster_import"),
    path("c/<str:code>/roster/export.xlsx", views.roster_export, name="roster_export"),
]
