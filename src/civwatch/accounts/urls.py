from django.urls import path

from civwatch.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("signin/", views.signin, name="signin"),
    path("signin/code/", views.verify, name="verify"),
    path("second-factor/", views.enrol, name="enrol"),
    path("signout/", views.signout, name="signout"),
    path("signout-everywhere/", views.signout_everywhere, name="signout_everywhere"),
    path("password/", views.PasswordChange.as_view(), name="password_change"),
]
