from django.urls import path

from governance import views

app_name = "governance"

urlpatterns = [
    path("c/<str:code>/meetings/", views.meetings, name="meetings"),
    path("c/<str:code>/meetings/new/", views.meeting_edit, name="meeting_create"),
    path("c/<str:code>/meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("c/<str:code>/meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path(
        "c/<str:code>/meetings/<int:pk>/resolutions/new/",
        views.resolution_create,
        name="resolution_create",
    ),
    path("c/<str:code>/disclosures/", views.disclosures, name="disclosures"),
    path("c/<str:code>/disclosures/new/", views.disclosure_edit, name="disclosure_create"),
    path("c/<str:code>/disclosures/<int:pk>/edit/", views.disclosure_edit, name="disclosure_edit"),
    path("public/", views.public_search, name="public_search"),
    path("public/<str:code>/", views.public_board, name="public_board"),
]
