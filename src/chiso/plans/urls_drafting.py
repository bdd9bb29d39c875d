"""Routes of the drafting part of chiso.plans (included by chiso.plans.urls)."""

urlpatterns: list = []
