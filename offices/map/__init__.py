"""The index's world map: Natural Earth's countries (world.json, built by
manage.py build_world_map, see README.md) and the offices placed on them."""
