"""Term elections (换届选举) and by-elections (补选)."""

from django.urls import path

from elections import views

app_name = "elections"

urlpatterns = [
    path("c/<str:code>/elections/", views.elections, name="elections"),
    path("c/<str:code>/elections/new/", views.election_create, name="election_create"),
    path("c/<str:code>/elections/<int:pk>/", views.election_detail, name="election"),
    path(
        "c/<str:code>/elections/<int:pk>/plan/",
        views.election_plan,
        name="election_plan",
    ),
    path(
        "c/<str:code>/elections/<int:pk>/voter-list/",
        views.voter_list,
        name="election_voter_list",
    ),
    path(
        "c/<str:code>/elections/<int:pk>/candidates/new/",
        views.candidate_create,
        name="election_candidate_create",
    ),
    path(
        "c/<str:code>/elections/<int:pk>/candidates/remove/",
        views.candidate_remove,
        name="election_candidate_remove",
    ),
    path("c/<str:code>/elections/<int:pk>/voting/", views.voting, name="election_voting"),
    path(
        "c/<str:code>/elections/<int:pk>/results/",
        views.results,
        name="election_results",
    ),
    path("c/<str:code>/elections/<int:pk>/rerun/", views.rerun, name="election_rerun"),
    path(
        "c/<str:code>/elections/<int:pk>/certify/",
        views.certify,
        name="election_certify",
    ),
    path(
        "c/<str:code>/elections/<int:pk>/correct/",
        views.correct,
        name="election_correct",
    ),
    path(
        "c/<str:code>/elections/<int:pk>/announcement/",
        views.announcement,
        name="election_announcement",
    ),
    path("d/<str:code>/elections/", views.overview, name="election_overview"),
]
