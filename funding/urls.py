from django.urls import path

from funding import views

app_name = "funding"

urlpatterns = [
    path("c/<str:code>/funding/", views.ledger, name="ledger"),
    path("c/<str:code>/funding/ledger.xlsx", views.ledger_export, name="ledger_export"),
    path("c/<str:code>/funding/allocations/new/", views.allocation_edit, name="allocation_create"),
    path(
        "c/<str:code>/funding/allocations/<int:pk>/edit/",
        views.allocation_edit,
        name="allocation_edit",
    ),
    path(
        "c/<str:code>/funding/expenditures/new/", views.expenditure_edit, name="expenditure_create"
    ),
    path(
        "c/<str:code>/funding/expenditures/<int:pk>/edit/",
        views.expenditure_edit,
        name="expenditure_edit",
    ),
    path(
        "c/<str:code>/funding/allocations/<int:pk>/delete/",
        views.allocation_delete,
        name="allocation_delete",
    ),
    path(
        "c/<str:code>/funding/expenditures/<int:pk>/delete/",
        views.expenditure_delete,
        name="expenditure_delete",
    ),
    path("c/<str:code>/funding/pay/<int:pk>/delete/", views.pay_delete, name="pay_delete"),
    path("c/<str:code>/funding/pay/new/", views.pay_edit, name="pay_create"),
    path("c/<str:code>/funding/pay/<int:pk>/edit/", views.pay_edit, name="pay_edit"),
    path("c/<str:code>/tasks/", views.tasks, name="tasks"),
    path("c/<str:code>/tasks/new/", views.task_edit, name="task_create"),
    path("c/<str:code>/tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("d/<str:code>/funding/", views.compare, name="compare"),
    path("d/<str:code>/funding.xlsx", views.compare_export, name="compare_export"),
    path("benchmarks/", views.benchmarks, name="benchmarks"),
]
