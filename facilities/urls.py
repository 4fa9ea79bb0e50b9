from django.urls import path

from facilities import views

app_name = "facilities"

urlpatterns = [
    path("c/<str:code>/facilities/", views.facility_list, name="list"),
    path("c/<str:code>/facilities/new/", views.facility_create, name="create"),
    path("c/<str:code>/facilities/<int:pk>/edit/", views.facility_edit, name="edit"),
    path("d/<str:code>/facilities/", views.compare, name="compare"),
    path("d/<str:code>/facilities.xlsx", views.compare_export, name="compare_export"),
]
