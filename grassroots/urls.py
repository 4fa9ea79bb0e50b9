from django.urls import path

from grassroots import views

app_name = "grassroots"

urlpatterns = [
    path("c/<str:code>/requests/", views.request_list, name="requests"),
    path("c/<str:code>/requests/new/", views.request_create, name="request_create"),
    path("c/<str:code>/requests/<int:pk>/edit/", views.request_edit, name="request_edit"),
    path("c/<str:code>/requests.xlsx", views.request_export, name="requests_export"),
    path("c/<str:code>/requests/ledger/", views.ledger, name="ledger"),
    path("c/<str:code>/grids/", views.grid_list, name="grids"),
    path("c/<str:code>/grids/new/", views.grid_create, name="grid_create"),
    path("c/<str:code>/grids/<int:pk>/edit/", views.grid_edit, name="grid_edit"),
    path("c/<str:code>/grids/<int:pk>/workers/new/", views.worker_create, name="worker_create"),
    path("c/<str:code>/visits/", views.visit_list, name="visits"),
    path("c/<str:code>/visits/new/", views.visit_create, name="visit_create"),
    path("public/<str:code>/requests/new/", views.public_submit, name="public_submit"),
    path("public-requests/", views.public_track, name="public_track"),
]
