import json
from django.core.management import call_command
from io import StringIO

def test_explore(db):
    from chiso.units.models import Unit
    from chiso.results.models import Result, ImportBatch
    print(Unit.objects.count(), Result.objects.count(), ImportBatch.objects.count())
    out = StringIO()
    call_command("analyse", index="papi", unit="Kon Tum", year=2023, format="json", stdout=out)
    d = json.loads(out.getvalue()); d.pop("nodes")
    print(d)
    out = StringIO()
    call_command("analyse", index="par", unit="Kon Tum", year=2023, format="json", stdout=out)
    d = json.loads(out.getvalue()); print({k: d[k] for k in ("total","rank","rank_of","rank_source","mismatches")})
    out = StringIO()
    call_command("gap", index="papi", unit="Kon Tum", year=2023, places=5, format="json", stdout=out)
    d = json.loads(out.getvalue()); print({k: d[k] for k in d if k!="suggestions"}, d["suggestions"][:2])
    out = StringIO()
    call_command("analyse", index="papi", unit="Kon Tum", year=2018, format="json", stdout=out)
    d = json.loads(out.getvalue()); print({k: d[k] for k in ("total","previous_total","delta_total","comparison_note","previous_year")})
