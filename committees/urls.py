from django.urls import path

from committees import views

app_name = "committees"

urlpatterns = [
    path("d/", views.national, name="national"),
    path("d/<str:code>/", views.division_detail, name="division"),
    path("communities/", views.community_list, name="community_list"),
    path("communities/export.xlsx", views.community_export, name="community_export"),
    path("c/<str:code>/", views.community_detail, name="community"),
    path("c/<str:code>/edit/", views.community_edit, name="community_edit"),
]
