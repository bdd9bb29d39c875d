"""Routes of the plans part of chiso.plans (included by chiso.plans.urls)."""

urlpatterns: list = []
