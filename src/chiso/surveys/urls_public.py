"""Public addresses of surveys (no sign-in): the web form a QR code opens. Mounted at ``/phieu/``."""

from django.urls import path

from . import views_public

app_name = "survey_public"
urlpatterns = [
    path("<int:pk>/", views_public.form, name="form"),
    path("<int:pk>/cam-on/", views_public.thanks, name="thanks"),
]
