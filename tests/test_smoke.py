def test_smoke(db):
    from offices.models import Office

    assert Office.objects.count() == 0
