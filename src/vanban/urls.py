from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("vanban.portal.urls")),
    path("", include("vanban.core.urls")),
    path("tai-khoan/", include("vanban.accounts.urls")),
    path("van-ban/den/ban-quet/", include("vanban.paper.urls")),
    path("van-ban/", include("vanban.documents.urls")),
    path("bao-cao/", include("vanban.reports.urls")),
    path("xu-ly/", include("vanban.workflow.urls")),
    path("du-thao/", include("vanban.drafting.urls")),
    path("lich-cong-tac/", include("vanban.agenda.urls")),
    path("ho-so/", include("vanban.records.urls")),
    path("giam-sat/", include("vanban.oversight.urls")),
    path("sap-xep-don-vi/", include("vanban.reorganisation.urls")),
    path("lien-thong/he-thong-khac/", include("vanban.exchange.partners.urls")),
    path("lien-thong/", include("vanban.exchange.urls")),
    path("chu-ky-so/", include("vanban.signatures.urls")),
    path("ma-doc/", include("vanban.scanning.urls")),
    path("api/v1/", include("vanban.api.urls")),
    path("django-admin/", admin.site.urls),
]
