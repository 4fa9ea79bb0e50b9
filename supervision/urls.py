from django.urls import path

from supervision import views

app_name = "supervision"

urlpatterns = [
    # a community's notices and disputes
    path("c/<str:code>/supervision/", views.community, name="community"),
    path("c/<str:code>/notices/<int:pk>/", views.notice_detail, name="notice"),
    path("c/<str:code>/notices/<int:pk>/respond/", views.notice_respond, name="notice_respond"),
    path("c/<str:code>/notices/<int:pk>/review/", views.notice_review, name="notice_review"),
    path("c/<str:code>/notice-files/<int:pk>/", views.notice_file, name="notice_file"),
    path("c/<str:code>/disputes/new/", views.dispute_create, name="dispute_create"),
    path("c/<str:code>/disputes/<int:pk>/decide/", views.dispute_decide, name="dispute_decide"),
    # a division's
    path("d/<str:code>/notices/", views.division_notices, name="division_notices"),
    path("d/<str:code>/notices.xlsx", views.division_notices_export, name="notices_export"),
    path("d/<str:code>/notices/new/", views.notice_issue, name="notice_issue"),
    path("d/<str:code>/exemptions/", views.division_exemptions, name="division_exemptions"),
    path(
        "d/<str:code>/exemptions.xlsx", views.division_exemptions_export, name="exemptions_export"
    ),
    # one page per user
    path("todo/", views.todo, name="todo"),
    # annual assessments
    path("assessments/", views.assessments, name="assessments"),
    path("assessments/new/", views.assessment_create, name="assessment_create"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/edit/", views.assessment_edit, name="assessment_edit"),
    path("assessments/<int:pk>/publish/", views.assessment_publish, name="assessment_publish"),
    path("assessments/<int:pk>/evaluate/", views.assessment_evaluate, name="assessment_evaluate"),
    path("assessments/<int:pk>/export.xlsx", views.assessment_export, name="assessment_export"),
]
