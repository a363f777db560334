from django.urls import path

from registration.views import delegate

urlpatterns = [
    path("", delegate.home, name="home"),
    path("me/", delegate.me, name="me"),
    path("me/register/", delegate.register, name="register"),
    path("me/edit/", delegate.me_edit, name="me_edit"),
    path("me/cancel/", delegate.me_cancel, name="me_cancel"),
    path("me/badge.pdf", delegate.my_badge, name="my_badge"),
    path("me/visa-letter.pdf", delegate.my_visa_letter, name="my_visa_letter"),
]
