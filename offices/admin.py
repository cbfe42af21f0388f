from django.contrib import admin

from offices.models import FieldOffice, Office, ReviewRecord, Tag

admin.site.register([Office, FieldOffice, ReviewRecord, Tag])
