"""Routes of the execution part of chiso.plans (included by chiso.plans.urls)."""

urlpatterns: list = []
