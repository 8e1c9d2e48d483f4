import json


def load_config(path):
    with open(path) as f:
        return json.load(f)


def connect(cfg):
    try:
        return cfg["database"]["host"]
    except KeyError as e:
        raise RuntimeError("database section missing from config") from e


def main():
    try:
        cfg = load_config("/nonexistent/app.json")
    except FileNotFoundError:
        cfg = {"cache": {}}
        print("config not found, using defaults", flush=True)
        try:
            connect(cfg)
        except RuntimeError:
            int("port-not-a-number")   # error while handling the previous one


main()
