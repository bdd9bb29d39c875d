"""Routes of the monitoring part of chiso.plans (included by chiso.plans.urls)."""

urlpatterns: list = []
