"""myonn/training.py: epochs, batches, the learning-rate schedule, augmentation and stopping."""

import numpy as np
import pytest

from myonn.errors import MyonnError
from myonn.model import Model, load_model, save_model
from myonn.network import NeuralNetwork
from myonn.training import StopRequest, learning_rate_at, train


def digit_like_data(count=600, seed=0):
    """Ten easy classes: a bright 6-row band at a position that depends on the label, plus noise."""
    random = np.random.default_rng(seed)
    labels = random.integers(0, 10, count).astype(np.uint8)
    images = random.integers(0, 40, (count, 28, 28)).astype(np.uint8)
    for image, label in zip(images, labels):
        image[2 + 2 * label:8 + 2 * label, 4:24] = 230
    return images, labels


def fresh_model(seed=0):
    return Model(NeuralNetwork(784, 30, 10, learning_rate=0.1, seed=seed))


def learning_rates(first, last, steps):
    return np.array([learning_rate_at(step, first, last, steps) for step in range(steps)])


def test_learning_rates_fall_geometrically_from_first_to_last():
    rates = learning_rates(0.1, 0.001, 5)
    assert rates[0] == pytest.approx(0.1) and rates[-1] == pytest.approx(0.001)
    assert np.allclose(rates[1:] / rates[:-1], 0.1 ** 0.5)
    assert np.allclose(learning_rates(0.2, 0.2, 4), 0.2)  # the talk's constant rate


@pytest.mark.parametrize("first, last", [(5e-324, 1e308), (1e308, 5e-324)])
def test_learning_rates_too_far_apart_for_their_ratio_still_fall_or_rise_between_them(first, last):
    """Their ratio overflowed: a run from 5e-324 to 1e308 said its rate "was up to inf" when it diverged."""
    rates = learning_rates(first, last, 5)
    assert np.all(np.isfinite(rates)) and np.all(rates > 0)
    assert rates[0] == pytest.approx(first, rel=1e-6) and rates[-1] == pytest.approx(last, rel=1e-6)
    assert np.allclose(np.diff(np.log(rates)), (np.log(last) - np.log(first)) / 4)
    assert learning_rate_at(1, 5e-324, 0.1, 2) == 0.1           # exactly the last, not a few ulps past it


def test_training_learns_and_reports_each_epoch():
    images, labels = digit_like_data()
    model = fresh_model()
    lines = []
    history = train(model, images[:500], labels[:500], epochs=3, batch_size=10, learning_rate=0.1,
                    final_learning_rate=0.02, seed=1, test_set=(images[500:], labels[500:]),
                    progress=False, report=lines.append)
    assert [epoch["epoch"] for epoch in history] == [1, 2, 3]
    assert history[-1]["test_accuracy"] > 0.9
    assert all(epoch["seen"] == 500 and not epoch["stopped"] for epoch in history)
    assert len(lines) == 3 and lines[0].startswith("epoch 1/3: test accuracy ")
    assert model.network.learning_rate == 0.1  # the chosen rate is what the model file records


def test_the_same_seed_trains_the_same_weights():
    images, labels = digit_like_data()
    first, second = fresh_model(), fresh_model()
    for model in (first, second):
        train(model, images, labels, epochs=1, batch_size=16, learning_rate=0.1, seed=3, progress=False)
    assert np.array_equal(first.network.input_weights, second.network.input_weights)


def test_augmentation_sees_fresh_raw_images_every_epoch():
    images, labels = digit_like_data(100)
    seen = []

    def augmentation(batch, random, batch_labels):
        seen.append(batch.copy())
        assert batch_labels.shape == (len(batch),)
        return batch.astype(np.float32)

    train(fresh_model(), images, labels, epochs=2, batch_size=10, learning_rate=0.1, augmentation=augmentation,
          seed=0, progress=False)
    assert sum(len(batch) for batch in seen) == 200
    assert all(batch.shape[1:] == (28, 28) and batch.dtype == np.uint8 for batch in seen)


def watch_training_steps(model, watcher):
    """Call watcher(inputs, targets) before each of the network's training steps."""
    original_train = model.network.train

    def watched_train(inputs, targets):
        watcher(inputs, targets)
        return original_train(inputs, targets)

    model.network.train = watched_train


def test_a_stop_request_ends_training_after_the_current_batch():
    images, labels = digit_like_data()
    stop = StopRequest()
    model = fresh_model()
    calls = []

    def count(inputs, targets):
        calls.append(len(inputs))
        if len(calls) == 3:
            stop.requested = True

    watch_training_steps(model, count)
    history = train(model, images, labels, epochs=5, batch_size=20, learning_rate=0.1, progress=False, stop=stop)
    assert len(calls) == 3
    assert len(history) == 1 and history[0]["stopped"] and history[0]["seen"] == 60


def test_without_shuffling_the_images_come_in_file_order_like_the_talk():
    images, labels = digit_like_data(50)
    model = fresh_model()
    seen_labels = []
    watch_training_steps(model, lambda inputs, targets: seen_labels.extend(targets.argmax(axis=1)))
    train(model, images, labels, epochs=2, batch_size=1, learning_rate=0.1, shuffle=False, progress=False)
    assert seen_labels == labels.tolist() * 2


def test_training_multiplies_matrices_on_one_blas_thread():
    from threadpoolctl import threadpool_info

    images, labels = digit_like_data(40)
    model = fresh_model()
    threads = []
    watch_training_steps(model, lambda inputs, targets: threads.extend(
        pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"))
    train(model, images, labels, epochs=1, batch_size=10, learning_rate=0.1, progress=False)
    assert threads and set(threads) == {1}


def test_augmented_training_is_repeatable_with_a_seed_though_chunks_are_made_in_a_second_thread():
    from myonn.augment import Augmentation
    from myonn.training import one_ahead
    images, labels = digit_like_data(300)
    augmentation = Augmentation.from_text("shift=1,rotation=12,scale=0.15,elastic=16:4,flags=0.3")
    weights = []
    for _ in range(2):
        model = fresh_model()
        train(model, images, labels, epochs=2, batch_size=16, learning_rate=0.1, augmentation=augmentation,
              seed=5, progress=False)
        weights.append(model.network.input_weights)
    assert np.array_equal(*weights)
    assert list(one_ahead(iter(range(5)))) == [0, 1, 2, 3, 4] and list(one_ahead([])) == []


def test_a_ctrl_c_while_the_inputs_are_prepared_stops_before_any_training(monkeypatch):
    """It was heard only after the first batch, and the run ended "stopped after 16 images, hardly
    better than guessing", for a Ctrl-C pressed before it had begun."""
    images, labels = digit_like_data()
    stop = StopRequest()
    model = fresh_model()
    calls = []
    watch_training_steps(model, lambda inputs, targets: calls.append(len(inputs)))
    prepare = model.network_input

    def pressed_while_preparing(pixels):
        stop.requested = True
        return prepare(pixels)

    monkeypatch.setattr(model, "network_input", pressed_while_preparing)
    history = train(model, images, labels, epochs=5, batch_size=20, learning_rate=0.1, progress=False, stop=stop)
    assert calls == []
    assert len(history) == 1 and history[0]["stopped"] and history[0]["seen"] == 0


def test_the_test_accuracy_after_each_epoch_reads_the_test_set_in_bounded_batches(monkeypatch):
    """All 10,000 test images at once, through a network of 10,000 hidden nodes, took 2.6 GB."""
    from myonn import evaluation

    images, labels = digit_like_data()
    model = fresh_model()                                          # 30 hidden nodes
    monkeypatch.setattr(evaluation, "MOST_BATCH_ACTIVATIONS", 30 * 20)
    queried = []
    query = model.network.query
    monkeypatch.setattr(model.network, "query", lambda inputs: queried.append(len(inputs)) or query(inputs))
    history = train(model, images, labels, epochs=1, batch_size=20, learning_rate=0.1, progress=False,
                    test_set=(images[:45], labels[:45]), report=lambda line: None)
    assert queried == [20, 20, 5]
    right = np.mean(query(model.network_input(images[:45])).argmax(axis=1) == labels[:45])
    assert history[0]["test_accuracy"] == pytest.approx(right)


def test_a_watcher_sees_each_few_thousand_images_and_can_stop_training():
    images, labels = digit_like_data(count=10_000)
    moments = []

    def watch(moment):
        moments.append({key: value for key, value in moment.items() if key != "network"})
        if moment["epoch"] == 2:
            moment["stop"].requested = True

    history = train(fresh_model(), images[:9000], labels[:9000], epochs=3, batch_size=16, learning_rate=0.1,
                    seed=1, test_set=(images[9000:], labels[9000:]), progress=False, report=lambda line: None,
                    watch=watch)
    # 9,000 images in chunks of 4,096 (256 batches of 16). First the untrained network; in the first
    # epoch after 1, 2, 4, ... 128 batches; at each chunk's end (4,096, 8,192, 9,000); at the first
    # batch past each quarter epoch (2,250, 4,500, 6,750). Stopped at epoch 2's first moment, the
    # batch under way is finished and shown.
    seen = [round(moment["epochs_done"] * 9000) for moment in moments]
    assert seen == [0, 16, 32, 64, 128, 256, 512, 1024, 2048, 2256, 4096, 4512, 6752, 8192, 9000, 11256, 11272]
    assert [moment["epoch"] for moment in moments] == [1] * 15 + [2, 2] and moments[0]["epochs"] == 3
    assert moments[-1]["stop"].requested and history[-1]["stopped"] and history[-1]["seen"] == 2272
    assert len(moments[0]["test_inputs"]) == 1000 and list(moments[0]["test_labels"]) == list(labels[9000:])
    assert moments[0]["train_accuracy"] is None and moments[0]["images_per_second"] == 0   # before any image
    assert 0 < moments[-1]["train_accuracy"] <= 1 and moments[-1]["images_per_second"] > 0
    assert moments[0]["learning_rate"] == pytest.approx(0.1)


def test_watching_changes_nothing_that_training_learns():
    """The watcher is shown the training more often now: what the network learns must not depend on it."""
    images, labels = digit_like_data(count=3000)
    settings = dict(epochs=2, batch_size=16, learning_rate=0.1, seed=3, progress=False, report=lambda line: None)
    watched, unwatched = fresh_model(), fresh_model()
    train(watched, images, labels, watch=lambda moment: None, **settings)
    train(unwatched, images, labels, **settings)
    assert np.array_equal(watched.network.input_weights, unwatched.network.input_weights)


def test_escape_at_the_first_moment_stops_before_any_training():
    images, labels = digit_like_data(count=1000)

    def watch(moment):
        moment["stop"].requested = True

    model = fresh_model()
    before = model.network.input_weights.copy()
    history = train(model, images, labels, epochs=2, batch_size=16, learning_rate=0.1, seed=1, progress=False,
                    report=lambda line: None, watch=watch)
    assert history[-1]["stopped"] and not any(epoch["seen"] for epoch in history)
    assert np.array_equal(model.network.input_weights, before)


def a_small_mnist(monkeypatch):
    """Training's MNIST replaced by 64 random digits (as both sets), for runs that stop early anyway.
    Random digits hold nothing to learn, so the check that a network learned something is off."""
    from myonn import training

    random = np.random.default_rng(0)
    monkeypatch.setattr(training, "load_mnist", lambda *arguments, **keywords: (
        random.integers(0, 256, (64, 28, 28), dtype=np.uint8), random.integers(0, 10, 64)))
    monkeypatch.setattr(training, "NO_BETTER_THAN_GUESSING", 0.0)


def test_the_lines_training_prints_show_a_terminals_codes_in_file_names_escaped(tmp_path, monkeypatch, capsys):
    from myonn import recipes, training

    a_small_mnist(monkeypatch)
    path = tmp_path / "\x1b]0;renamed\x07.npz"
    assert training.train_from_settings(recipes.settings("default", {"epochs": 1}), model_path=path,
                                        progress=False) == 0
    said = capsys.readouterr()
    assert f"saved to {tmp_path}/\\x1b]0;renamed\\x07.npz" in said.err + said.out
    assert "\x1b" not in said.err + said.out


@pytest.mark.parametrize("when", ["loading MNIST", "saving", "just after saving", "as the lock is let go"])
def test_ctrl_c_that_stops_at_once_says_what_became_of_the_model(when, tmp_path, monkeypatch):
    # The terminal shows only ^C: a Ctrl-C while MNIST loads (or a second one while training), or while
    # the model is saved, says what became of the model. One while saving may come just after the file
    # was replaced: it says so then.
    from myonn import model_store, recipes, training
    from myonn.model import save_model

    real_save = model_store.save_keeping_backup

    def interrupted(*arguments, **keywords):
        if when == "just after saving":
            real_save(*arguments, **keywords)
        raise KeyboardInterrupt

    path = tmp_path / "m.npz"
    save_model(Model(NeuralNetwork(784, 5, 10, seed=0)), path)
    before = path.read_bytes()
    if when == "loading MNIST":
        monkeypatch.setattr(training, "load_mnist", interrupted)
    elif when == "as the lock is let go":   # the model saved, its "saved to" line not yet printed
        a_small_mnist(monkeypatch)
        real_exit = model_store.ModelLock.__exit__

        def exit_then_ctrl_c(self, *exception):
            real_exit(self, *exception)
            if exception[0] is None:
                raise KeyboardInterrupt

        monkeypatch.setattr(model_store.ModelLock, "__exit__", exit_then_ctrl_c)
    else:
        a_small_mnist(monkeypatch)
        monkeypatch.setattr(model_store, "save_keeping_backup", interrupted)
    said = []
    with pytest.raises(KeyboardInterrupt):
        training.train_from_settings(recipes.settings("default", {}), model_path=path, progress=False,
                                     report=said.append)
    assert (path.read_bytes() == before) == (when not in ("just after saving", "as the lock is let go"))
    if when in ("just after saving", "as the lock is let go"):
        accuracy = load_model(path).info["test_accuracy"]
        assert said[-1] == f"stopped just after saving to {path} (test accuracy {100 * accuracy:.2f}%)"
    else:
        assert said[-1] == {"loading MNIST": "stopped before any training: nothing saved",
                            "saving": f"stopped while saving: nothing saved, {path} is as it was"}[when]


@pytest.mark.parametrize("when", ["reading your own model", "checking the model path", "checking your digits' file",
                                  "taking the lock", "loading MNIST", "drawing the recipe's digits",
                                  "making the network"])
def test_a_ctrl_c_before_any_training_says_so_in_one_line(when, tmp_path, monkeypatch):
    # Checking the model path reads the model there (your own twice), which takes a second or more for
    # a large one: a Ctrl-C then exited with status 130 and not a word, as if nothing had been asked.
    from myonn import model_store, recipes, training
    from myonn.model import save_model

    def ctrl_c(*arguments, **keywords):
        raise KeyboardInterrupt

    own = tmp_path / "my_mnist_nn.npz"
    monkeypatch.setenv("MYONN_MODEL_DIR", str(tmp_path))
    save_model(Model(NeuralNetwork(784, 5, 10, seed=0)), own)
    before = own.read_bytes()
    digits = tmp_path / "my_digits.jsonl"
    digits.write_text("")
    a_small_mnist(monkeypatch)
    patched = {"reading your own model": (model_store, "refuse_unreadable_own_model"),
               "checking the model path": (model_store, "check_destination"),
               "checking your digits' file": (training, "check_digits_file"),
               "taking the lock": (model_store.ModelLock, "__enter__"),
               "loading MNIST": (training, "load_mnist"),
               "drawing the recipe's digits": (training, "drawn_digits"),
               "making the network": (training, "NeuralNetwork")}[when]
    monkeypatch.setattr(*patched, ctrl_c)
    said = []
    with pytest.raises(KeyboardInterrupt):
        training.train_from_settings(recipes.settings("default", {"epochs": 1, "drawn": 1}), progress=False,
                                     report=said.append,
                                     my_digits=digits if when == "checking your digits' file" else None)
    assert said[-1] == "stopped before any training: nothing saved" and not any("stopped" in line for line in said[:-1])
    assert own.read_bytes() == before and sorted(path.name for path in tmp_path.iterdir()) == [
        "my_digits.jsonl", "my_mnist_nn.npz"]


def test_a_second_ctrl_c_that_python_swallowed_still_stops_at_once_and_saves_nothing(tmp_path, monkeypatch):
    # Python cannot raise an exception in a __del__: a second Ctrl-C arriving while a progress bar was
    # collected printed "Exception ignored" and was lost, and the run went on to save.
    import signal

    from myonn import recipes, training

    def train_through_two_ctrl_cs(model, *arguments, stop, **keywords):
        handler = signal.getsignal(signal.SIGINT)
        handler(signal.SIGINT, None)          # the first: stop after this batch
        try:
            handler(signal.SIGINT, None)      # the second, raised in a __del__, which swallows it
        except KeyboardInterrupt:
            pass
        return [{"seen": 16, "stopped": True, "test_accuracy": 0.5}]

    a_small_mnist(monkeypatch)
    monkeypatch.setattr(training, "train", train_through_two_ctrl_cs)
    said = []
    with pytest.raises(KeyboardInterrupt):
        training.train_from_settings(recipes.settings("default", {}), model_path=tmp_path / "m.npz",
                                     progress=False, report=said.append)
    assert not (tmp_path / "m.npz").exists() and said[-1] == "stopped at once: nothing saved"


def test_a_ctrl_c_ignored_from_the_start_stays_ignored_while_training():
    # A script started with Ctrl-C ignored (in the background, by a shell script) goes on ignoring it:
    # training took it, and stopped after its batch.
    import signal

    from myonn.training import stop_on_interrupt

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with stop_on_interrupt() as stop:
        signal.raise_signal(signal.SIGINT)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    assert not stop.requested and signal.getsignal(signal.SIGINT) is signal.SIG_IGN


def test_a_stop_within_a_chunk_counts_only_the_images_trained_for_the_speed():
    random = np.random.default_rng(0)
    images, labels = random.integers(0, 256, (9000, 28, 28), dtype=np.uint8), random.integers(0, 10, 9000)
    moments = []

    def watch(moment):
        moments.append(moment)
        if moment["images_trained"] >= 32:                  # after the second batch: stop, as Escape does
            moment["stop"].requested = True

    history = train(Model(NeuralNetwork(784, 20, 10, seed=0)), images, labels, epochs=1, batch_size=16,
                    learning_rate=0.1, progress=False, watch=watch)
    assert history[-1]["seen"] == 48 and moments[-1]["images_trained"] == 48  # not the chunk's 4,096


def test_why_nothing_was_learned_names_the_settings_to_blame():
    from myonn import recipes
    from myonn.training import why_nothing_learned

    def why(overrides, hidden_nodes=200, seen=60_000):
        return why_nothing_learned(recipes.settings("default", overrides), NeuralNetwork(784, hidden_nodes, 10), seen)

    assert why({"batch_size": 60_000}, seen=120_000) == "only 2 steps (batches of 60,000)"
    assert why({"learning_rate": 1e-300}) == "a learning rate of 1e-300, so small that the weights hardly moved"
    assert why({"learning_rate": 50}) == "a learning rate of 50, so large that the sigmoids saturate"
    assert why({}, hidden_nodes=1) == "1 hidden node, too few to tell ten digits apart"
    assert why({}, seen=10) == "only 1 step (batches of 16)"
    assert why({}) == "these settings (try the default recipe)"


def train_to(accuracy, stopped):
    """A stand-in for train(): a run that ends (stopped or not) scoring `accuracy` on the test set."""
    def trained(model, *arguments, **keywords):
        return [{"seen": 64, "stopped": stopped, "seconds": 0.1, "test_accuracy": accuracy}]
    return trained


@pytest.mark.parametrize("there, scored, stopped, replaced", [
    (0.98, 0.50, True, False),     # stopped below the model there: it stays, the run is kept apart
    (0.98, 0.9799, True, False),   # a hundredth of a point worse: kept apart too
    (0.98, 0.98, True, True),      # as good: a stop late in the run replaces it, as before
    (0.98, 0.50, False, True),     # a finished run does what it was asked (the note says how to go back)
    (None, 0.50, True, True),      # a new file of the user's naming: nothing in use is displaced
])
def test_a_stopped_run_weaker_than_the_model_it_would_replace_is_kept_as_a_backup_instead(
        tmp_path, monkeypatch, there, scored, stopped, replaced):
    from myonn import model_store, recipes, training
    from myonn.model import load_model, save_model

    a_small_mnist(monkeypatch)
    monkeypatch.setattr(training, "train", train_to(scored, stopped))
    path = tmp_path / "m.npz"
    if there is not None:
        save_model(Model(NeuralNetwork(784, 5, 10, seed=0), info={"test_accuracy": there}), path)
    before = path.read_bytes() if there is not None else None
    said = []
    status = training.train_from_settings(recipes.settings("default", {}), model_path=path, progress=False,
                                          report=said.append)
    assert status == (130 if stopped else 0)
    assert load_model(path).info["test_accuracy"] == (scored if replaced else there)
    backups, stopped_runs = model_store.backups_of(path), model_store.backups_of(tmp_path / "m.stopped.npz")
    if replaced:
        assert [load_model(backup).info["test_accuracy"] for backup in backups] == ([there] if there else [])
        assert stopped_runs == []
    else:
        assert path.read_bytes() == before and backups == []
        assert [load_model(kept).info["test_accuracy"] for kept in stopped_runs] == [scored]
        assert said[-2:] == [f"interrupted at {100 * scored:.2f}% on MNIST's test set, below the model it "
                             f"would replace (98.00%): {path} stays as it was",
                             f"what was learned is kept as {stopped_runs[0]}: use it with --model {stopped_runs[0]}"]
        assert [entry.name for entry in (tmp_path / "backups").iterdir()] == [stopped_runs[0].name]  # no scratch left


def test_a_save_that_fails_after_training_keeps_what_was_learned_among_the_backups(tmp_path, monkeypatch):
    """A model made read-only while it trained (or a backup that could not be made) failed the save,
    and the whole run's training was lost with it."""
    from myonn import model_store, recipes, training
    from myonn.model import load_model, save_model

    a_small_mnist(monkeypatch)
    path = save_model(Model(NeuralNetwork(784, 5, 10, seed=0), info={"test_accuracy": 0.9}), tmp_path / "m.npz")
    before = path.read_bytes()

    def made_read_only_meanwhile(*arguments, **keywords):
        path.chmod(0o444)
        return train_to(0.95, False)(*arguments, **keywords)

    monkeypatch.setattr(training, "train", made_read_only_meanwhile)
    with pytest.raises(MyonnError) as refused:
        training.train_from_settings(recipes.settings("default", {}), model_path=path, progress=False,
                                     report=lambda line: None)
    [kept] = model_store.stopped_runs(path)
    assert str(refused.value) == (f"will not overwrite {path}, which is read-only: to let a run replace it, make it "
                                  f"writable (chmod u+w {path}); or choose another --model; what was learned is "
                                  f"kept as {kept}: use it with --model {kept}")
    assert path.read_bytes() == before and load_model(kept).info["test_accuracy"] == 0.95


def test_a_save_that_fails_after_training_says_so_when_what_was_learned_cannot_be_kept_either(tmp_path, monkeypatch):
    """A full disk: the error said nothing of the run's training, lost with the save (audit 17)."""
    from myonn import model_store, recipes, training
    from myonn.model import save_model

    a_small_mnist(monkeypatch)
    path = save_model(Model(NeuralNetwork(784, 5, 10, seed=0), info={"test_accuracy": 0.9}), tmp_path / "m.npz")

    def made_read_only_meanwhile(*arguments, **keywords):
        path.chmod(0o444)
        return train_to(0.95, False)(*arguments, **keywords)

    def disk_full(model, destination):
        raise MyonnError(f"cannot save {destination}: No space left on device")

    monkeypatch.setattr(training, "train", made_read_only_meanwhile)
    monkeypatch.setattr(model_store, "keep_stopped_run", disk_full)
    with pytest.raises(MyonnError, match=f"; what was learned could not be kept either \\(cannot save {path}: No "
                                         "space left on device\\)$"):
        training.train_from_settings(recipes.settings("default", {}), model_path=path, progress=False,
                                     report=lambda line: None)


def test_stopped_runs_kept_apart_never_push_the_models_saves_replaced_out_of_the_backups(tmp_path, monkeypatch):
    from myonn import model_store, recipes, training
    from myonn.model import load_model, save_model

    a_small_mnist(monkeypatch)
    path = tmp_path / "m.npz"
    for accuracy in (0.97, 0.975, 0.98):                          # three saves: two replaced models kept
        save_model(Model(NeuralNetwork(784, 5, 10, seed=0), info={"test_accuracy": accuracy}), tmp_path / "new.npz")
        model_store.save_keeping_backup(load_model(tmp_path / "new.npz"), path)
    monkeypatch.setattr(training, "train", train_to(0.50, True))
    for _ in range(model_store.BACKUPS_KEPT + 3):                 # a talk's demo, stopped again and again
        assert training.train_from_settings(recipes.settings("default", {}), model_path=path, progress=False,
                                            report=lambda line: None) == 130
    assert [load_model(backup).info["test_accuracy"] for backup in model_store.backups_of(path)] == [0.97, 0.975]
    # The stopped runs pruned among themselves: the newest, and the most accurate (here the first of equals).
    assert len(model_store.backups_of(tmp_path / "m.stopped.npz")) == model_store.BACKUPS_KEPT + 1


def test_a_backups_folder_that_cannot_be_written_is_found_before_training_with_the_shipped_model_in_use(
        own_models_apart):
    from myonn import model_store

    (own_models_apart / "backups").write_text("not a folder")
    with pytest.raises(MyonnError, match="cannot keep a backup of .* in .*backups: there is a file of that name"):
        model_store.check_destination(model_store.destination_for())


def test_a_stopped_run_does_not_become_your_model_when_the_shipped_one_reads_better(monkeypatch, own_models_apart):
    from myonn import model_store, recipes, training
    from myonn.model import load_model

    a_small_mnist(monkeypatch)
    monkeypatch.setattr(training, "train", train_to(0.2545, True))   # a talk's pause, a few steps, Escape
    said = []
    assert training.train_from_settings(recipes.settings("default", {}), progress=False, report=said.append) == 130
    own = model_store.own_model_path()
    assert not own.exists() and model_store.chosen_model_path()[1] == "the shipped model"
    assert "below the shipped model" in said[-2] and said[-2].endswith("it stays the one they use")
    [kept] = model_store.backups_of(own.with_name("my_mnist_nn.stopped.npz"))
    assert load_model(kept).info["test_accuracy"] == 0.2545
    assert said[-1].endswith(f"or make it your own model with: cp -i {kept} {own}")   # over nothing: there is none
    # Pasted once the drawing window's digit keys have made your own model (of which no backup is kept),
    # it asks before replacing that (cp -i): a plain cp replaced the taught model, and it was lost.
    import subprocess

    command = said[-1].split("make it your own model with: ")[1]
    save_model(Model(NeuralNetwork(784, 5, 10, seed=0)), own)
    taught = own.read_bytes()
    subprocess.run(command, shell=True, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)   # not answered
    assert own.read_bytes() == taught
    own.unlink()
    # Stopped at 97.6%, not quite the shipped model's 98.54%: kept apart too (it reads drawn digits worse).
    monkeypatch.setattr(training, "train", train_to(0.9760, True))
    assert training.train_from_settings(recipes.settings("default", {}), progress=False, report=said.append) == 130
    assert not own.exists()
    # Stopped as good as the shipped model, it becomes your own model, as before.
    monkeypatch.setattr(training, "train", train_to(0.9854, True))
    assert training.train_from_settings(recipes.settings("default", {}), progress=False, report=said.append) == 130
    assert load_model(own).info["test_accuracy"] == 0.9854


def test_your_first_model_says_the_windows_now_use_it_in_place_of_the_shipped_one(monkeypatch, own_models_apart):
    from myonn import model_store, recipes, training
    from myonn.model import shipped_model_path

    a_small_mnist(monkeypatch)
    monkeypatch.setattr(training, "train", train_to(0.9827, False))   # the default recipe, run to its end
    said = []
    assert training.train_from_settings(recipes.settings("default", {}), progress=False, report=said.append) == 0
    # The tests keep your own model apart through MYONN_MODEL_DIR, which the windows follow only where it is set.
    assert said[-1] == ("note: this is now your own model, which the windows use (with MYONN_MODEL_DIR set as now) "
                        f"in place of the shipped one (98.54% on MNIST, and it reads drawn digits best); to use that "
                        f"one: --model {model_store.as_typed(shipped_model_path())}")
    said.clear()
    assert training.train_from_settings(recipes.settings("default", {}), progress=False, report=said.append) == 0
    assert not any("in place of the shipped one" in line for line in said)   # said once, for the first
    # Without MYONN_MODEL_DIR (your own model in data/, here a folder standing in for it), as set-up says it.
    monkeypatch.delenv("MYONN_MODEL_DIR")
    monkeypatch.setattr(model_store, "project_data_dir", lambda: own_models_apart / "data")
    said.clear()
    assert training.train_from_settings(recipes.settings("default", {}), progress=False, report=said.append) == 0
    assert said[-1].startswith("note: this is now your own model, which the windows use in place of the shipped one")
    assert (own_models_apart / "data" / "my_mnist_nn.npz").exists()


@pytest.mark.parametrize("recorded", [
    {"test_accuracy": float("nan")},                   # none an accuracy can be (a file edited by hand)
    {"test_accuracy": 0.90, "taught_digits": 3},       # one from before the drawing window taught it
])
def test_a_stopped_run_is_compared_with_a_model_that_records_no_accuracy_by_measuring_it(tmp_path, monkeypatch,
                                                                                          recorded):
    from myonn import model_store, recipes, training
    from myonn.model import save_model

    a_small_mnist(monkeypatch)
    monkeypatch.setattr(training, "train", train_to(0.9720, True))
    monkeypatch.setattr(training, "accuracy", lambda model, images, labels: 0.9854)   # what it scores, measured
    path = tmp_path / "m.npz"
    save_model(Model(NeuralNetwork(784, 5, 10, seed=0), info=recorded), path)
    before = path.read_bytes()
    said = []
    assert training.train_from_settings(recipes.settings("default", {}), model_path=path, progress=False,
                                        report=said.append) == 130
    assert path.read_bytes() == before and "below the model it would replace (98.54%)" in said[-2]
    assert len(model_store.backups_of(tmp_path / "m.stopped.npz")) == 1


def test_the_running_training_accuracy_waits_for_a_hundred_images():
    # With the talk's batches of one, the learning curve's first point was one image's 100% or 0%.
    from myonn.training import ACCURACY_FROM_IMAGES, train

    random = np.random.default_rng(0)
    images, labels = random.integers(0, 256, (400, 28, 28), dtype=np.uint8), random.integers(0, 10, 400)
    seen = []
    train(Model(NeuralNetwork(784, 20, 10, seed=0)), images, labels, epochs=1, batch_size=1, learning_rate=0.1,
          progress=False, watch=lambda moment: seen.append((moment["images_trained"], moment["train_accuracy"])))
    assert ACCURACY_FROM_IMAGES == 100
    assert all(accuracy is None for images_trained, accuracy in seen if images_trained < 100)
    assert any(accuracy is not None for images_trained, accuracy in seen if images_trained >= 100)
    assert any(0 < images_trained < 100 for images_trained, accuracy in seen)   # there were moments before


@pytest.mark.parametrize("when", ["before it is kept", "just after"])
def test_a_ctrl_c_while_a_stopped_run_is_kept_apart_says_whether_it_was(tmp_path, monkeypatch, when):
    from myonn import model_store, recipes, training
    from myonn.model import save_model

    a_small_mnist(monkeypatch)
    monkeypatch.setattr(training, "train", train_to(0.5, True))       # stopped, below the model there
    path = tmp_path / "m.npz"
    save_model(Model(NeuralNetwork(784, 5, 10, seed=0), info={"test_accuracy": 0.98}), path)
    before = path.read_bytes()
    real_keep = model_store.keep_stopped_run

    def keep_then_ctrl_c(model, destination):
        if when == "just after":
            real_keep(model, destination)
        raise KeyboardInterrupt

    monkeypatch.setattr(model_store, "keep_stopped_run", keep_then_ctrl_c)
    said = []
    with pytest.raises(KeyboardInterrupt):
        training.train_from_settings(recipes.settings("default", {}), model_path=path, progress=False,
                                     report=said.append)
    assert path.read_bytes() == before
    kept = model_store.stopped_runs(path)
    if when == "just after":
        assert said[-1] == f"stopped just after keeping what was learned as {kept[0]}; nothing else was saved"
    else:
        assert kept == [] and said[-1] == "stopped while keeping what was learned apart: nothing kept, nothing saved"


def test_a_run_on_part_of_mnist_draws_its_share_of_the_recipes_drawn_digits():
    from myonn.training import drawn_per_style
    assert drawn_per_style(70, 60_000) == 70
    assert drawn_per_style(70, 2_000) == 2          # 2.33 of each style
    assert drawn_per_style(70, 400) == 0            # 0.47: too small a share for one
    assert drawn_per_style(70, 120_000) == 70       # a larger data set gets no more than MNIST's share
    assert drawn_per_style(0, 60_000) == 0
    assert drawn_per_style(70, 3_000) == drawn_per_style(70, 3_001) == 4   # 3.5 and a hair: halves round up
    assert drawn_per_style(70, 9_000) == 11                                # 10.5, where round() gave 10
    assert drawn_per_style(70, 428) == 0 and drawn_per_style(70, 429) == 1


def test_tqdms_write_lock_is_made_when_training_is_imported_not_at_its_first_line():
    """Made at the first tqdm.write, the lock imports multiprocessing: a second Ctrl-C landing there gave a
    traceback (tqdm's AttributeError) in place of "stopped before any training: nothing saved"."""
    import subprocess
    import sys
    made = subprocess.run([sys.executable, "-c", "import myonn.training, tqdm; print('_lock' in vars(tqdm.tqdm))"],
                          capture_output=True, text=True, timeout=120)
    assert made.stdout.strip() == "True", made.stderr


def test_a_ctrl_c_more_while_the_stopped_line_is_printed_does_not_cut_it_off(monkeypatch, tmp_path):
    """Two Ctrl-Cs pressed at once: the second landed in the report of the first, and the line was lost."""
    import os
    import signal
    from myonn import model_store, recipes, training

    def pressed(*arguments):
        raise KeyboardInterrupt

    said = []

    def report(line):
        os.kill(os.getpid(), signal.SIGINT)       # the second Ctrl-C, as the line is being printed
        said.append(line)

    monkeypatch.setattr(model_store, "destination_for", pressed)   # the first, while the model path is checked
    handler = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        training.train_from_settings(recipes.settings("default", {}), model_path=tmp_path / "m.npz",
                                     progress=False, report=report)
    assert said == ["stopped before any training: nothing saved"]
    assert signal.getsignal(signal.SIGINT) is handler                # Ctrl-C as it was before
