"""Trials as rows and rows as a plain-text table."""


def _as_float(value):
    return float(value) if value is not None else None


def _error_line(message):
    """The exception line of a trial's traceback, without module paths."""
    if not message:
        return None
    lines = [line.strip() for line in str(message).strip().splitlines() if line.strip()]
    if not lines:
        return None
    last = lines[-1]
    head, sep, rest = last.partition(": ")
    if sep and " " not in head:
        return f"{head.rsplit('.', 1)[-1]}: {rest}"
    return last


def trial_rows(tuner):
    """The trials of a tuner as plain dicts, in the order they were created.

    Each row has `trial_id`, `status` ("COMPLETED", "FAILED", ...),
    `hyperparameters` (the active values, KerasTuner's `tuner/...` bookkeeping
    left out), `score` (the objective value, or None), `metrics` (every value
    `fit` returned), `epochs` (Hyperband's epoch budget, else None) and
    `error` (the failure's exception line, or None).
    """
    rows = []
    objective = tuner.oracle.objective.name
    for trial_id in sorted(tuner.oracle.trials):
        trial = tuner.oracle.trials[trial_id]
        hp = trial.hyperparameters
        values = {}
        for name, value in hp.values.items():
            if name.startswith("tuner/"):
                continue
            try:
                active = hp.is_active(name)
            except (KeyError, ValueError):
                active = True
            if active:
                values[name] = value
        metrics = {}
        for name in trial.metrics.metrics:
            best = trial.metrics.get_best_value(name)
            if best is not None:
                metrics[name] = float(best)
        status = str(trial.status)
        completed = status == "COMPLETED"
        rows.append({
            "trial_id": trial.trial_id,
            "status": status,
            "hyperparameters": values,
            "score": _as_float(trial.score) if completed else None,
            "metrics": metrics if completed else {},
            "epochs": hp.values.get("tuner/epochs"),
            "error": None if completed else _error_line(trial.message),
        })
        if completed and rows[-1]["score"] is None and objective in metrics:
            rows[-1]["score"] = metrics[objective]
    return rows


def _format_value(value):
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def format_trials(rows, *, max_error_width=80):
    """Renders trial rows (from `trial_rows` or `tune`) as a plain-text table.

    Columns: trial, status, score, the other metrics, hyperparameters
    (`name=value`, objective first) and the error of a failed trial.
    """
    rows = list(rows)
    if not rows:
        return "(no trials)"
    metric_names = []
    for row in rows:
        for name in row.get("metrics") or {}:
            if name not in metric_names and name not in ("score",):
                metric_names.append(name)
    show_epochs = any(row.get("epochs") is not None for row in rows)
    header = ["trial", "status", "score", *metric_names]
    header += ["epochs"] * show_epochs + ["hyperparameters", "error"]
    table = [header]
    for row in rows:
        metrics = row.get("metrics") or {}
        score = row.get("score")
        hps = ", ".join(
            f"{k}={_format_value(v)}" for k, v in (row.get("hyperparameters") or {}).items()
        )
        error = row.get("error") or ""
        if len(error) > max_error_width:
            error = error[: max_error_width - 3] + "..."
        line = [
            str(row.get("trial_id")),
            str(row.get("status")),
            "-" if score is None else _format_value(float(score)),
            *("-" if metrics.get(n) is None else _format_value(metrics[n]) for n in metric_names),
        ]
        if show_epochs:
            line.append("-" if row.get("epochs") is None else str(row["epochs"]))
        line += [hps, error]
        table.append(line)
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in table]
    lines.insert(1, "  ".join("-" * w for w in widths).rstrip())
    return "\n".join(lines)
