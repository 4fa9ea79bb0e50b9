from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    path("d/<str:code>/surveys/", views.division_surveys, name="division_surveys"),
    path("d/<str:code>/surveys/new/", views.survey_create, name="survey_create"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey"),
    path("surveys/<int:pk>/publish/", views.survey_publish, name="survey_publish"),
    path("c/<str:code>/surveys/", views.community_surveys, name="community_surveys"),
    path("c/<str:code>/surveys/<int:pk>/", views.community_survey, name="community_survey"),
    path("c/<str:code>/surveys/<int:pk>/codes/", views.survey_codes, name="codes"),
    path("c/<str:code>/surveys/<int:pk>/paper/", views.paper_entry, name="paper"),
    path("public/<str:code>/survey/", views.public_answer, name="public_answer"),
    path("public/<str:code>/satisfaction/", views.public_results, name="public_results"),
]
