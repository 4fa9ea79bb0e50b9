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
    path(
        "c/<str:code>/disclosures/<int:pk>/lines/", views.disclosure_lines, name="disclosure_lines"
    ),
    path(
        "c/<str:code>/meetings/<int:pk>/attachments/new/",
        views.meeting_attachment_add,
        name="meeting_attachment_add",
    ),
    path(
        "c/<str:code>/disclosures/<int:pk>/attachments/new/",
        views.disclosure_attachment_add,
        name="disclosure_attachment_add",
    ),
    path("c/<str:code>/files/meeting/<int:pk>/", views.meeting_attachment, name="meeting_file"),
    path(
        "c/<str:code>/files/disclosure/<int:pk>/",
        views.disclosure_attachment,
        name="disclosure_file",
    ),
    path("public/<str:code>/files/<int:pk>/", views.public_attachment, name="public_file"),
    path("c/<str:code>/matters/", views.matters, name="matters"),
    path("c/<str:code>/matters/new/", views.matter_edit, name="matter_create"),
    path("c/<str:code>/matters/<int:pk>/", views.matter_detail, name="matter"),
    path("c/<str:code>/matters/<int:pk>/edit/", views.matter_edit, name="matter_edit"),
    path("c/<str:code>/covenants/", views.covenants, name="covenants"),
    path("c/<str:code>/covenants/new/", views.covenant_edit, name="covenant_create"),
    path("c/<str:code>/covenants/<int:pk>/edit/", views.covenant_edit, name="covenant_edit"),
    path("c/<str:code>/services/", views.public_services, name="services"),
    path("c/<str:code>/services/new/", views.public_service_edit, name="service_create"),
    path("c/<str:code>/services/<int:pk>/edit/", views.public_service_edit, name="service_edit"),
    path("public/", views.public_search, name="public_search"),
    path("public/<str:code>/", views.public_board, name="public_board"),
]
