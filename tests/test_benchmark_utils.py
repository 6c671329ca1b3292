"""ember.utils.benchmark against torch.utils.benchmark: the same printed layout for the same measurements,
plausible timings (never exact ones)."""
import re
import time

import pytest
import torch
import torch.utils.benchmark as TB

import ember
import ember.utils.benchmark as EB

RAW = [[1.2e-3, 1.3e-3, 1.25e-3, 1.9e-3, 1.21e-3], [4.4e-6, 4.5e-6, 4.41e-6], [2.5e-8], [0.8, 0.81, 0.95, 0.7]]


def _measurements(B, colorize=None):
    out = []
    for i, raw in enumerate(RAW):
        spec = B.TaskSpec(stmt=f"f{i}(x)", setup="x = 1", label="lab" if i < 3 else "other",
                          sub_label=f"size {i % 2}", description=f"d{i // 2}", env="envA" if i == 3 else None,
                          num_threads=1 + i % 2)
        out.append(B.Measurement(number_per_run=10 * (i + 1), raw_times=raw, task_spec=spec))
    return out


def _strip_ids(text):
    return re.sub(r"<[\w.]+ object at 0x[0-9a-f]+>", "<obj>", text)


def test_measurement_statistics_and_repr_match_torch():
    for t, e in zip(_measurements(TB), _measurements(EB)):
        for attr in ("mean", "median", "iqr", "times", "number_per_run", "significant_figures", "title", "env",
                     "has_warnings", "raw_times"):
            assert getattr(t, attr) == pytest.approx(getattr(e, attr)), attr
        assert _strip_ids(repr(t)) == _strip_ids(repr(e))


@pytest.mark.parametrize("trim", [False, True])
@pytest.mark.parametrize("color", [False, True])
def test_compare_table_matches_torch(trim, color):
    tables = []
    for B in (TB, EB):
        c = B.Compare(_measurements(B))
        if trim:
            c.trim_significant_figures()
        if color:
            c.colorize(rowwise=True)
        c.extend_results([])
        tables.append(str(c))
    assert tables[0] == tables[1]
    assert "Times are in" in tables[1]


def test_helpers_match_torch():
    for x in (3e-9, 4.2e-6, 0.5e-3, 2.0):
        assert TB.select_unit(x) == EB.select_unit(x)
    for u in ("ns", "us", "ms", "s"):
        assert TB.unit_to_english(u) == EB.unit_to_english(u)
    assert TB.trim_sigfig(123.456, 2) == EB.trim_sigfig(123.456, 2)
    assert EB.ordered_unique([3, 1, 3, 2]) == [3, 1, 2]


def test_timer_measures_plausibly():
    t = EB.Timer("time.sleep(0.002)", setup="import time", label="sleep", sub_label="2ms", description="d")
    m = t.timeit(number=5)
    assert m.number_per_run == 5 and len(m.times) == 1
    assert 0.0018 < m.mean < 0.05
    m = t.blocked_autorange(min_run_time=0.02)
    assert m.times and all(0.0018 < x < 0.05 for x in m.times)
    assert m.task_spec.label == "sleep" and "Median" in repr(m) or len(m.times) < 4
    m = EB.Timer("y = x + 1", globals={"x": ember.ones(8)}, num_threads=1).adaptive_autorange(max_run_time=0.05)
    assert 0 < m.median < 1e-3 and m.iqr >= 0
    assert isinstance(m, EB.Measurement)


def test_timer_globals_torch_name_and_errors():
    seen = {}
    EB.Timer("seen['t'] = torch", globals={"seen": seen}).timeit(1)
    assert seen["t"] is ember  # timed statements see ember as `torch`
    for B in (TB, EB):
        t = B.Timer("pass")
        with pytest.raises(NotImplementedError, match="See `Timer.blocked_autorange.`"):
            t.repeat()
        with pytest.raises(NotImplementedError, match="See `Timer.blocked_autorange.`"):
            t.autorange()
        with pytest.raises(ValueError, match="global_setup is C\\+\\+ only"):
            B.Timer("pass", global_setup="int x;")


def test_num_threads_is_applied_and_restored():
    before = ember.get_num_threads()
    seen = []
    EB.Timer("seen.append(torch.get_num_threads())", globals={"seen": seen}, num_threads=1).timeit(2)
    assert set(seen) == {1} and ember.get_num_threads() == before
    start = time.perf_counter()
    EB.Timer("pass").blocked_autorange(min_run_time=0.01)
    assert time.perf_counter() - start < 5
