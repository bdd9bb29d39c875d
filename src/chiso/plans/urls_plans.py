"""Routes of the plans part of chiso.plans (included by chiso.plans.urls)."""

from django.urls import path

from . import views_plans as v

urlpatterns: list = [
    path("", v.plan_list, name="list"),
    path("moi/", v.plan_new, name="new"),
    path("<int:pk>/", v.plan_detail, name="detail"),
    path("<int:pk>/sua/", v.plan_edit, name="edit"),
    path("<int:pk>/chuyen/<slug:action>/", v.plan_transition, name="transition"),
    path("<int:pk>/sua-doi/", v.plan_amend, name="amend"),
    path("<int:pk>/muc-tieu/moi/", v.target_edit, name="target_new"),
    path("<int:pk>/muc-tieu/doi-chieu/", v.targets_refresh, name="targets_refresh"),
    path("<int:pk>/muc-tieu/<int:target_pk>/sua/", v.target_edit, name="target_edit"),
    path("<int:pk>/muc-tieu/<int:target_pk>/xoa/", v.target_delete, name="target_delete"),
    path("<int:pk>/nhiem-vu/moi/", v.task_edit, name="task_new"),
    path("<int:pk>/nhiem-vu/<int:task_pk>/sua/", v.task_edit, name="task_edit"),
    path("<int:pk>/nhiem-vu/<int:task_pk>/xoa/", v.task_delete, name="task_delete"),
    path("<int:pk>/nhiem-vu/<int:task_pk>/phan-hoi/", v.task_answer, name="task_answer"),
    path("<int:pk>/han-che/moi/", v.shortcoming_edit, name="shortcoming_new"),
    path("<int:pk>/han-che/<int:row_pk>/sua/", v.shortcoming_edit, name="shortcoming_edit"),
    path("<int:pk>/han-che/<int:row_pk>/xoa/", v.shortcoming_delete, name="shortcoming_delete"),
    path("<int:pk>/tep/them/", v.attachment_add, name="attachment_add"),
    path("<int:pk>/tep/<int:att_pk>/", v.attachment_download, name="attachment"),
    path("<int:pk>/lich-su/", v.plan_history, name="history"),
]
