"""Querysets compiled to SQL once, then run with a new value each time.

Building a queryset and compiling it costs more than running it: a profile's
seven queries took about 15 ms of Python to build and compile, and about 1 ms
in PostgreSQL. A page that asks the same questions on every request (the row
at this address, the field offices of this office) compiles them once per
process and language, with a placeholder where the value goes, and then only
swaps the value in.

Only for querysets whose SQL depends on nothing but that value and the active
language (which modeltranslation's lookups and ordering follow). The anonymous
profile page (offices.views: the office and its six relations) and every
page's row lookup (hrprofile.pagecache.PageLookup, through
compile_with_placeholder) use it.

Upgrade checklist (docs/upgrading.md says the same). This module relies on
what Django and psycopg do not promise to keep:

1. QuerySet.query and Query.get_compiler(using=): the compiler of a queryset.
2. SQLCompiler.as_sql(): (sql, params), a lookup's value a whole parameter
   of its own (an exact lookup's as given; each item of an array's, in
   ARRAY[%s]), which is what lets the placeholder be found and swapped;
   a contains lookup's value the middle of "%value%", escaped by
   DatabaseOperations.prep_for_like_query() (the compiled search).
3. SQLCompiler.klass_info, set by as_sql(): "select_fields" (the model's
   own columns, consecutive in the SELECT) and "related_klass_infos".
4. SQLCompiler.select: (expression, sql, alias) triples, a column's
   expression with .target.attname.
5. SQLCompiler.annotation_col_map: annotation name -> position in a row.
6. SQLCompiler.get_converters(expressions) and apply_converters(rows,
   converters): the values from_db_value() would give.
7. Model._prefetched_objects_cache, keyed by the relation's accessor name
   (a related manager's prefetch_cache_name), where prefetch_related() puts
   an instance's related rows and the related manager reads them.
8. QuerySet._result_cache and QuerySet._prefetch_done: a queryset whose
   rows are already there, evaluated as if it had run.
9. Model.from_db() leaving an instance as a ModelState (adding False, db)
   and one __dict__ entry per concrete column (plain_init(), which
   CompiledQuery.instances() then fills directly), Signal._live_receivers(),
   and modeltranslation's patch_constructor new_init and delete_mt_init
   (tests/test_related_querysets.py compares such instances to the ORM's).
10. CompiledRelations.related_queryset(): a related manager's queryset is
   its relation's condition deferred (QuerySet._deferred_filter), with the
   attributes QuerySet._clone() copies.
11. SQLCompiler.get_order_by() after as_sql(): the query's effective ORDER
   BY expressions (CompiledTogether numbers rows by them).
12. PostgreSQL's to_json() of each column type in _FROM_JSON, read back to
   what psycopg gives for the column.
And psycopg 3's Connection.pipeline() (libpq 14 or newer), reached through
django.db.connection.connection, with Django's cursors inside it.

On a Django or psycopg upgrade: read the release notes for changes to the
SQL compiler, prefetch_related() and the PostgreSQL backend; run
tests/test_queries.py, which fails when any compiled page query's SQL or
parameters differ from what the ORM now writes for the same queryset and
value, when the rows or the attached relations differ from the ORM's, or
when the profile stops asking its queries as one statement
(CompiledTogether), or that statement gives other values, types or order
than the pipeline (fetch_together()). If a step can no
longer be kept, retire the layer: without its get_object() override,
OfficeDetailView reads through its get_queryset() (as it does for staff),
and PageLookup needs only compile_with_placeholder() and with_value();
measure the cold profile (bench/pages.py --pages profile, "uncached")
before and after.
"""

import datetime
import weakref

from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, Window
from django.db.models.base import ModelState
from django.db.models.functions import RowNumber
from django.db.models.signals import post_init, pre_init
from django.dispatch import receiver
from django.utils.translation import get_language
from modeltranslation.fields import TranslationFieldDescriptor
from modeltranslation.translator import delete_mt_init

# Values no page could ask for, by type: the slug of a row, or its id.
PLACEHOLDERS = {str: "compiled-query-placeholder", int: -1_999_999_999}


def compile_with_placeholder(queryset, placeholder, like_patterns=False):
    """(compiler, sql, params, positions): the queryset compiled, and where in
    params the placeholder went (once or more).

    like_patterns: whether the value may also be the middle of a LIKE
    pattern (a contains lookup's "%value%"); positions then also holds each
    such parameter, as (position, pattern).
    """
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    positions = [i for i, param in enumerate(params) if param == placeholder]
    for i, param in enumerate(params):
        if i in positions or str(placeholder) not in repr(param):
            continue
        if like_patterns and isinstance(param, str) and _is_like_pattern(param):
            positions.append((i, param))
        else:
            # Made part of another value: it could not be swapped.
            raise ValueError("The value must be a whole parameter of the query.")
    if not positions:
        raise ValueError("The placeholder is not among the query's parameters.")
    return compiler, sql, tuple(params), positions


def _is_like_pattern(param):
    return param.startswith("%") and param.endswith("%")


def with_value(params, positions, value, placeholder=None):
    """params with value at positions; in a LIKE pattern's (position,
    pattern), value escaped as Django's contains lookups escape it."""
    params = list(params)
    for position in positions:
        if isinstance(position, tuple):
            position, pattern = position
            escaped = connections[DEFAULT_DB_ALIAS].ops.prep_for_like_query(value)
            params[position] = pattern.replace(placeholder, escaped)
        else:
            params[position] = value
    return params


def plain_init(model):
    """Whether an instance of model may be made from a row by filling its
    __dict__, as Model.from_db() leaves it, without calling __init__: no
    __init__ but Django's under modeltranslation's wrapper, no pre_init
    receiver, no post_init receiver but modeltranslation's (which deletes the
    flag its wrapper set), and no translated relation (whose descriptor sets
    two attributes). A profile makes some twenty instances of rows a hundred
    columns wide: __init__ costs about 25 µs each."""
    for klass in model.__mro__:
        if klass is Model:
            break
        init = klass.__dict__.get("__init__")
        if (
            init is not None
            and init.__qualname__ != "patch_constructor.<locals>.new_init"
        ):
            return False
    if pre_init.has_listeners(model):
        return False
    sync_receivers, async_receivers = post_init._live_receivers(model)
    if async_receivers or any(r is not delete_mt_init for r in sync_receivers):
        return False
    return not any(
        field.is_relation
        and isinstance(model.__dict__.get(field.name), TranslationFieldDescriptor)
        for field in model._meta.concrete_fields
    )


# Every PerLanguage that has compiled something, for forget_compiled().
_COMPILED = weakref.WeakSet()


class PerLanguage:
    """What _compile() gives, made once per process and language (the SQL of
    modeltranslation's lookups and ordering follows the active language)."""

    def _get_compiled(self):
        language = get_language()
        try:
            return self._compiled[language]
        except KeyError:
            pass
        compiled = self._compiled[language] = self._compile()
        _COMPILED.add(self)
        return compiled


def forget_compiled():
    """Every query compiles again when next asked."""
    for compiled in list(_COMPILED):
        compiled._compiled.clear()


@receiver(setting_changed)
def _forget_compiled_languages(setting, **kwargs):
    """A test's other languages: the columns a query selects follow them
    (hrprofile.translations.defer_unread), as modeltranslation's do."""
    if setting in {"LANGUAGES", "LANGUAGE_CODE"} or setting.startswith(
        "MODELTRANSLATION_"
    ):
        forget_compiled()


class CompiledQuery(PerLanguage):
    """rows(value): the model instances build(value) would give, with its
    annotations, without building or compiling it again.

    build is called once per language with a placeholder of value_type. The
    queryset must select one model's own columns (no select_related) and may
    annotate: the same instances as iterating it would give.
    """

    def __init__(self, build, value_type=int, like_patterns=False):
        self.build = build
        self.placeholder = PLACEHOLDERS[value_type]
        # Whether the value may also go into a LIKE pattern (a search's
        # contains lookups): compile_with_placeholder().
        self.like_patterns = like_patterns
        self._compiled = {}

    def _compile(self):
        queryset = self.build(self.placeholder)
        compiler, sql, params, positions = compile_with_placeholder(
            queryset, self.placeholder, self.like_patterns
        )
        klass_info = compiler.klass_info
        if klass_info.get("related_klass_infos"):
            raise ValueError("A compiled query cannot select related rows.")
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        compiled = {
            "compiler": compiler,
            "sql": sql,
            "params": params,
            "positions": positions,
            "model": queryset.model,
            "db": queryset.db,
            "slice": slice(start, end),
            "attnames": [col.target.attname for col, *_ in compiler.select[start:end]],
            "annotations": tuple(compiler.annotation_col_map.items()),
            "converters": compiler.get_converters([col for col, *_ in compiler.select]),
        }
        attnames = compiled["attnames"]
        # Columns deferred (defer(), only()) are left out of __dict__, as
        # from_db() leaves them.
        compiled["plain"] = plain_init(queryset.model) and set(attnames) <= {
            field.attname for field in queryset.model._meta.concrete_fields
        }
        return compiled

    def rows(self, value):
        """The instances for value: one query."""
        [rows] = fetch_together([(self, value)])
        return rows

    def execute(self, cursor, value):
        compiled = self._get_compiled()
        cursor.execute(
            compiled["sql"],
            with_value(
                compiled["params"], compiled["positions"], value, self.placeholder
            ),
        )
        return compiled

    def instances(self, compiled, rows):
        if compiled["converters"]:
            rows = compiled["compiler"].apply_converters(rows, compiled["converters"])
        model, db, columns = compiled["model"], compiled["db"], compiled["slice"]
        attnames, annotations = compiled["attnames"], compiled["annotations"]
        plain = compiled["plain"]
        instances = []
        for row in rows:
            if plain:
                # What from_db() leaves: the state, then every column's value.
                instance = model.__new__(model)
                state = ModelState()
                state.adding = False
                state.db = db
                instance.__dict__["_state"] = state
                instance.__dict__.update(zip(attnames, row[columns], strict=True))
            else:
                instance = model.from_db(db, attnames, row[columns])
            for name, position in annotations:
                setattr(instance, name, row[position])
            instances.append(instance)
        return instances


def fetch_together(queries, using=DEFAULT_DB_ALIAS):
    """The instances of each (CompiledQuery, value), asked in one round trip.

    The queries go to PostgreSQL one after the other without waiting for each
    answer (a psycopg pipeline), then the answers are read: seven small
    queries cost about one round trip instead of seven.
    """
    connection = connections[using]
    cursors = [connection.cursor() for _ in queries]
    try:
        with connection.connection.pipeline():
            compiled = [
                query.execute(cursor, value)
                for cursor, (query, value) in zip(cursors, queries, strict=True)
            ]
            results = [cursor.fetchall() for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()
    return [
        query.instances(each, rows)
        for (query, _), each, rows in zip(queries, compiled, results, strict=True)
    ]


class CompiledRelations:
    """An instance's related rows (its field offices, its terms), each
    relation's query compiled once (CompiledQuery), put where
    prefetch_related() puts them: instance.<name>.all() reads them, no query.
    """

    def __init__(self, model, names, narrow=None):
        self.model = model
        narrow = narrow or (lambda queryset: queryset)
        # narrow(queryset): the queryset each relation is asked with (with
        # fewer columns, say); the instances are put where prefetching would.
        self.queries = {
            name: CompiledQuery(
                lambda pk, name=name: narrow(getattr(model(pk=pk), name).all())
            )
            for name in names
        }
        # (name, language) -> (stand-in instance, its related queryset).
        self._prototypes = {}

    def queries_for(self, pk):
        """(query, value) of each relation, for fetch_together()."""
        return [(query, pk) for query in self.queries.values()]

    def attach(self, instance, rows=None):
        """Put each relation's rows on instance: rows, as fetch_together()
        gave them for queries_for(instance.pk), or asked here."""
        if rows is None:
            rows = fetch_together(self.queries_for(instance.pk))
        cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
        for name, related in zip(self.queries, rows, strict=True):
            queryset = self.related_queryset(instance, name)
            queryset._result_cache = related
            queryset._prefetch_done = True
            cache[name] = queryset

    def _prototype(self, name):
        """(stand-in, getattr(stand_in, name).all()) for a stand-in instance,
        made once per language (modeltranslation rewrites a queryset's
        ordering for the language active then)."""
        key = (name, get_language())
        try:
            return self._prototypes[key]
        except KeyError:
            pass
        stand_in = self.model(pk=PLACEHOLDERS[int])
        queryset = getattr(stand_in, name).all()
        if queryset._deferred_filter is None:
            # The relation's condition must still be waiting to be applied:
            # it is what related_queryset() puts the instance into.
            raise ValueError(f"{name}: the related manager's filter is not deferred.")
        self._prototypes[key] = stand_in, queryset
        return stand_in, queryset

    def related_queryset(self, instance, name):
        """getattr(instance, name).all(), as the related manager makes it (the
        relation's condition deferred, its hints, its known related object),
        copied from a prototype: a related manager and its queryset cost
        about 100 µs each (modeltranslation makes a class for each), six
        times a profile."""
        stand_in, prototype = self._prototype(name)

        def put_in(value):
            if value is stand_in:
                return instance
            if type(value) is int and value == PLACEHOLDERS[int]:
                return instance.pk
            return value

        queryset = prototype.__class__(
            model=prototype.model,
            query=prototype._query.clone(),
            using=prototype._db,
            hints={key: put_in(value) for key, value in prototype._hints.items()},
        )
        # QuerySet._clone()'s attributes, then modeltranslation's.
        queryset._sticky_filter = prototype._sticky_filter
        queryset._for_write = prototype._for_write
        queryset._prefetch_related_lookups = prototype._prefetch_related_lookups[:]
        queryset._known_related_objects = {
            field: {put_in(key): put_in(value) for key, value in objects.items()}
            for field, objects in prototype._known_related_objects.items()
        }
        queryset._iterable_class = prototype._iterable_class
        queryset._fetch_mode = instance._state.fetch_mode
        queryset._fields = prototype._fields
        for attribute in ("_rewrite", "_populate"):
            if hasattr(prototype, attribute):
                setattr(queryset, attribute, getattr(prototype, attribute))
        negate, args, kwargs = prototype._deferred_filter
        queryset._deferred_filter = (
            negate,
            tuple(put_in(arg) for arg in args),
            {key: put_in(value) for key, value in kwargs.items()},
        )
        return queryset


# A row's position in its query's own order (CompiledTogether).
_POSITION = "compiled_together_position"


def _same(value):
    return value


# What to_json() writes for a column of each type, read back as psycopg
# reads the column itself: the same Python value, the same type.
_FROM_JSON = {
    **dict.fromkeys(
        [
            "AutoField",
            "BigAutoField",
            "SmallAutoField",
            "IntegerField",
            "BigIntegerField",
            "SmallIntegerField",
            "PositiveIntegerField",
            "PositiveBigIntegerField",
            "PositiveSmallIntegerField",
            "BooleanField",
            "CharField",
            "TextField",
            "SlugField",
        ],
        _same,
    ),
    "DateField": datetime.date.fromisoformat,
    # In the connection's time zone (UTC), with its offset: fromisoformat()
    # gives the aware datetime psycopg gives.
    "DateTimeField": datetime.datetime.fromisoformat,
}


def _json_reader(field):
    """How to read field's value back from to_json(), or None where it would
    not be exactly psycopg's (a float, a decimal, JSON, a time, a UUID...)."""
    internal = field.get_internal_type()
    if internal == "ArrayField":
        item = _json_reader(field.base_field)
        if item is None:
            return None
        return lambda values: [
            None if value is None else item(value) for value in values
        ]
    return _FROM_JSON.get(internal)


class CompiledTogether(PerLanguage):
    """rows(*values): what fetch_together() gives for these compiled queries
    and values, asked as one statement.

    A pipeline still costs psycopg a statement each, about 60 µs of CPU on
    either side of the socket: seven, a fifth of a cold profile. Here each
    query becomes a column of one row, its rows aggregated as JSON in the
    query's own order (a row_number() over its ORDER BY, not the order
    rows happen to arrive in), and each value is read back as psycopg reads
    its column (_FROM_JSON); the instances are then made as
    CompiledQuery.instances() makes them. A query with a column of another
    type, or with converters (from_db_value()), cannot be read exactly:
    building this raises ValueError.
    """

    def __init__(self, *queries):
        self.queries = queries
        self._compiled = {}

    def _compile(self):
        parts, params, slots, layouts = [], [], [], []
        for query in self.queries:
            each = query._get_compiled()
            if each["converters"]:
                raise ValueError("A query with converters cannot be read from JSON.")
            readers = []
            for expression, _, alias in each["compiler"].select:
                reader = _json_reader(expression.output_field)
                name = alias or expression.target.column
                if reader is None or name == _POSITION:
                    raise ValueError(f"{name} cannot be read back from JSON exactly.")
                readers.append((name, reader))
            queryset = query.build(query.placeholder)
            compiler = queryset.query.get_compiler(using=queryset.db)
            compiler.as_sql()
            ordering = [expression for expression, _ in compiler.get_order_by()]
            numbered = queryset.annotate(
                **{_POSITION: Window(RowNumber(), order_by=ordering or None)}
            )
            _, sql, sql_params, positions = compile_with_placeholder(
                numbered, query.placeholder, query.like_patterns
            )
            parts.append(
                f"(SELECT json_agg(to_json(found) ORDER BY found.{_POSITION})"
                f" FROM ({sql}) AS found)"
            )
            # Where its value goes among the statement's parameters.
            offset = len(params)
            shifted = [
                (offset + position[0], position[1])
                if isinstance(position, tuple)
                else offset + position
                for position in positions
            ]
            slots.append((shifted, query.placeholder))
            params.extend(sql_params)
            layouts.append((each, readers))
        return "SELECT " + ", ".join(parts), tuple(params), slots, layouts

    def rows(self, *values, using=DEFAULT_DB_ALIAS):
        """The instances of each query, for its value: one statement."""
        sql, params, slots, layouts = self._get_compiled()
        for (positions, placeholder), value in zip(slots, values, strict=True):
            params = with_value(params, positions, value, placeholder)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchone()
        results = []
        for query, (each, readers), objects in zip(
            self.queries, layouts, found, strict=True
        ):
            rows = [
                tuple(
                    None if (value := obj[name]) is None else reader(value)
                    for name, reader in readers
                )
                for obj in objects or ()
            ]
            results.append(query.instances(each, rows))
        return results
