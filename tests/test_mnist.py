"""Specification of myonn/mnist.py: finding, reading, checking and downloading MNIST.

Everything here runs offline on small generated files, except test_real_mnist, which reads
the real dataset from $MYONN_DATA_DIR (or ../shared/data/mnist beside the repository).
"""
import _thread
import errno
import gzip
import hashlib
import http.server
import io
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import tracemalloc
import types
import urllib.request
import zlib

import numpy as np
import pytest

import conftest
from myonn import mnist
from myonn.errors import MyonnError
from myonn.mnist import (
    MAX_GZIP_BYTES,
    MAX_IDX_BYTES,
    MNIST_FILES,
    MNIST_MD5,
    TEST,
    TRAIN,
    default_data_dir,
    download_mnist,
    load_mnist,
    project_data_dir,
    read_csv,
    read_idx,
)

REPOSITORY_ROOT = pathlib.Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- helpers


def idx_bytes(array):
    """The IDX encoding of a uint8 array: 0, 0, type 0x08, ndim, big-endian sizes, data."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim])
    header += b"".join(size.to_bytes(4, "big") for size in array.shape)
    return header + array.tobytes()


def write_idx(path, array, gz=False):
    """Write array to path as an IDX file, gzipped if gz; returns path."""
    content = idx_bytes(array)
    pathlib.Path(path).write_bytes(gzip.compress(content) if gz else content)
    return path


def make_digits(count, seed=0):
    """Random stand-ins for MNIST: images uint8 (count, 28, 28), labels uint8 (count,) in 0-9."""
    generator = np.random.default_rng(seed)
    images = generator.integers(0, 256, size=(count, 28, 28), dtype=np.uint8)
    labels = generator.integers(0, 10, size=count, dtype=np.uint8)
    return images, labels


def csv_text(images, labels):
    return "".join(
        ",".join(map(str, [label, *image.ravel().tolist()])) + "\n"
        for image, label in zip(images, labels)
    )


def write_csv(path, images, labels):
    pathlib.Path(path).write_text(csv_text(images, labels))
    return path


def write_idx_pair(data_dir, kind, images, labels, gz=True):
    images_name, labels_name = MNIST_FILES[kind]
    suffix = ".gz" if gz else ""
    write_idx(data_dir / (images_name + suffix), images, gz=gz)
    write_idx(data_dir / (labels_name + suffix), labels, gz=gz)


def csv_line(label=3, pixels=None):
    pixels = [0] * 784 if pixels is None else pixels
    return ",".join(map(str, [label, *pixels]))


# ---------------------------------------------------------------- read_idx


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_round_trips_images_and_labels(tmp_path, gz):
    images, labels = make_digits(7)
    read_images = read_idx(write_idx(tmp_path / "images", images, gz=gz))
    read_labels = read_idx(write_idx(tmp_path / "labels", labels, gz=gz))
    assert read_images.dtype == np.uint8 and read_images.shape == (7, 28, 28)
    np.testing.assert_array_equal(read_images, images)
    np.testing.assert_array_equal(read_labels, labels)
    read_images[0, 0, 0] = 1  # callers own the array


def test_read_idx_recognises_gzip_by_content_not_name(tmp_path):
    images, _ = make_digits(2)
    path = tmp_path / "images-without-gz-suffix"
    write_idx(path, images, gz=True)
    np.testing.assert_array_equal(read_idx(path), images)


@pytest.mark.parametrize(
    "content", [b"\x00\x00\x09\x03" + bytes(12), b"PK\x03\x04" + bytes(20), b"\x01\x02\x08\x01\0\0\0\0"]
)
def test_read_idx_rejects_wrong_magic_number(tmp_path, content):
    path = tmp_path / "not-idx"
    path.write_bytes(content)
    with pytest.raises(MyonnError, match="magic number") as raised:
        read_idx(path)
    assert str(path) in str(raised.value)


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_rejects_data_shorter_than_header_says(tmp_path, gz):
    content = idx_bytes(make_digits(3)[0])[:-10]
    path = tmp_path / "short"
    path.write_bytes(gzip.compress(content) if gz else content)
    with pytest.raises(MyonnError, match=r"truncated IDX file .*3x28x28 = 2352 bytes.* has 2342"):
        read_idx(path)


@pytest.mark.parametrize("content", [b"", b"\x00\x00", b"\x00\x00\x08\x03\x00\x00\x00\x03"])
def test_read_idx_rejects_a_cut_header(tmp_path, content):
    path = tmp_path / "stub"
    path.write_bytes(content)
    with pytest.raises(MyonnError, match="truncated"):
        read_idx(path)


def test_read_idx_rejects_trailing_bytes(tmp_path):
    path = tmp_path / "long"
    path.write_bytes(idx_bytes(make_digits(2)[1]) + b"extra")
    with pytest.raises(MyonnError, match="too long"):
        read_idx(path)


def test_read_idx_rejects_truncated_gzip(tmp_path):
    compressed = gzip.compress(idx_bytes(make_digits(20)[0]))
    path = tmp_path / "cut.gz"
    path.write_bytes(compressed[: len(compressed) // 2])
    with pytest.raises(MyonnError, match="corrupt or truncated gzip") as raised:
        read_idx(path)
    assert str(path) in str(raised.value)


def test_read_idx_rejects_corrupt_gzip(tmp_path):
    compressed = bytearray(gzip.compress(idx_bytes(make_digits(20)[0])))
    middle = len(compressed) // 2
    compressed[middle : middle + 16] = bytes(16)
    path = tmp_path / "corrupt.gz"
    path.write_bytes(bytes(compressed))
    with pytest.raises(MyonnError, match="corrupt or truncated gzip"):
        read_idx(path)


def test_read_idx_names_a_missing_file(tmp_path):
    with pytest.raises(MyonnError, match="no such file") as raised:
        read_idx(tmp_path / "nowhere")
    assert str(tmp_path / "nowhere") in str(raised.value)


def test_read_idx_rejects_a_directory(tmp_path):
    with pytest.raises(MyonnError, match="is a directory"):
        read_idx(tmp_path)


# ---------------------------------------------------------------- hostile files: bounded, one line each


def gzip_bomb(prefix, megabytes):
    """A .gz of prefix then `megabytes` MB of zeros, a thousand times smaller than what it unpacks to,
    built in milliseconds: after a full flush deflate starts afresh, so every further megabyte of zeros
    compresses to the same bytes. Its checksum is left 0: a reader that checks it has unpacked it all."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    megabyte = compressor.compress(bytes(2**20)) + compressor.flush(zlib.Z_FULL_FLUSH)
    size = (len(prefix) + megabytes * 2**20) % 2**32
    return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + start + megabyte * megabytes + compressor.flush()
            + bytes(4) + size.to_bytes(4, "little"))


def gzip_member(content=b"", name=None, extra=None, comment=None):
    """A gzip member of `content`, its header carrying the fields given (bytes) and a header CRC when any is."""
    flags = (extra is not None) * 4 | (name is not None) * 8 | (comment is not None) * 16
    header = b"\x1f\x8b\x08" + bytes([flags | 2 * bool(flags)]) + bytes(6)
    header += b"" if extra is None else len(extra).to_bytes(2, "little") + extra
    header += b"".join(field + b"\0" for field in (name, comment) if field is not None)
    header += (zlib.crc32(header) & 0xFFFF).to_bytes(2, "little") if flags else b""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return (header + compressor.compress(content) + compressor.flush()
            + zlib.crc32(content).to_bytes(4, "little") + len(content).to_bytes(4, "little"))


def idx_header(*shape):
    return bytes([0, 0, 0x08, len(shape)]) + b"".join(size.to_bytes(4, "big") for size in shape)


def one_line_within_a_gigabyte(call):
    """Run `call` (Python source using myonn.mnist's names) in a child process limited to 1 GB of
    address space; returns the one-line MyonnError it gave."""
    return conftest.one_line_within_a_gigabyte(call, "from myonn.mnist import *")


def test_a_gzip_bomb_whose_header_claims_too_many_digits_is_refused_before_unpacking(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip_bomb(idx_header(5_000_000, 28, 28), 4000))  # 4 MB that unpack to 4 GB
    assert path.stat().st_size < 5 * 2**20
    assert one_line_within_a_gigabyte(f"read_idx({str(path)!r})") == (
        f"{path}: header says 5000000x28x28: 5,000,000 digits, more than MNIST's 70,000")


def test_a_gzip_bomb_behind_an_honest_header_is_unpacked_only_as_far_as_mnist_goes(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip_bomb(idx_header(60_000, 28, 28), 4000))
    assert one_line_within_a_gigabyte(f"read_idx({str(path)!r})") == (
        f"{path}: IDX file too long (header says 60000x28x28 = 47040000 bytes of data, more follow)")


def test_a_gzipped_file_larger_than_any_mnist_file_gzipped_is_refused_unread(tmp_path):
    # Python's gzip skips zero padding after the data a byte at a time: a gigabyte took minutes.
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    labels = gzip.compress(idx_header(10) + bytes(range(10)))
    with open(path, "wb") as file:
        file.write(labels)
        file.truncate(MAX_GZIP_BYTES + 1)  # zeros, without writing them (a sparse file)
    assert one_line_within_a_gigabyte(f"read_idx({str(path)!r})") == (
        f"{path}: {MAX_GZIP_BYTES + 1:,} bytes is more than any MNIST file takes gzipped ({MAX_GZIP_BYTES:,} at most)")
    with open(path, "r+b") as file:  # a little padding is allowed, as gzip allows it
        file.truncate(len(labels) + 1000)
    assert list(read_idx(path)) == list(range(10))
    # Stored without compressing, the largest MNIST file still fits.
    assert len(gzip.compress(bytes(MAX_IDX_BYTES), compresslevel=0)) <= MAX_GZIP_BYTES


BLANK_TEST_IMAGES = idx_header(10_000, 28, 28) + bytes(10_000 * 28 * 28)  # as many as MNIST's: a few KB gzipped


@pytest.mark.parametrize("where", ["at the end", "before an empty member", "between members"])
def test_more_zeros_after_gzip_data_than_any_mnist_file_has_are_refused_wherever_they_are(tmp_path, where):
    """Digits that gzip to a fifth or less leave room, under their own bound, for tens of MB of zeros, which
    Python's gzip skipped a byte at a time (40 MB among the training images took 6 s). Only the last 64 KB
    were looked at, so zeros before an empty gzip member, or between two halves of the digits, went through."""
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    first, second = gzip.compress(BLANK_TEST_IMAGES[:1000]), gzip.compress(BLANK_TEST_IMAGES[1000:])
    whole = gzip.compress(BLANK_TEST_IMAGES)
    with_padding = {"at the end": lambda zeros: whole + zeros,
                    "before an empty member": lambda zeros: whole + zeros + gzip.compress(b""),
                    "between members": lambda zeros: first + zeros + second}[where]
    path.write_bytes(with_padding(bytes(2**20)))
    with pytest.raises(MyonnError) as raised:
        read_idx(path)
    assert str(raised.value) == (f"{path}: more than 65,536 bytes of zeros after its gzip data (padding), "
                                 "more than any MNIST file has")
    path.write_bytes(with_padding(bytes(1000)))        # a little padding is allowed, as gzip allows it
    assert read_idx(path).shape == (10_000, 28, 28)


def test_a_gzipped_file_of_more_members_than_any_mnist_writer_makes_is_refused(tmp_path):
    """Python's gzip took 6 µs a member: 40 MB of empty members among the training images (2 million,
    within their bound) took 12 s."""
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    empty_members = gzip.compress(b"") * mnist.MAX_GZIP_MEMBERS
    path.write_bytes(gzip.compress(BLANK_TEST_IMAGES[:1000]) + empty_members + gzip.compress(BLANK_TEST_IMAGES[1000:]))
    with pytest.raises(MyonnError) as raised:
        read_idx(path)
    assert str(raised.value) == f"{path}: more than 140,000 gzip members, more than any MNIST file has"


@pytest.mark.parametrize("where", ["first", "second"])
def test_a_long_file_name_in_a_gzip_header_is_read_at_once(tmp_path, where):
    """Python's gzip read a header's file name a byte at a time: a labels file of only a header naming
    58 MB took 7 s to be found truncated, 40 MB named in the training images' second member 4 s."""
    name = b"n" * 20_000_000
    if where == "first":                               # never ends: the file is cut short in the name
        path = tmp_path / "t10k-labels-idx1-ubyte.gz"
        path.write_bytes(gzip_member(name=name)[:10 + len(name)])
    else:
        path = tmp_path / "train-images-idx3-ubyte.gz"
        content = idx_header(60_000, 28, 28) + bytes(60_000 * 28 * 28)
        path.write_bytes(gzip.compress(content[:1000]) + gzip_member(content[1000:], name=name))
    started = time.monotonic()
    try:
        assert read_idx(path).shape == (60_000, 28, 28)
    except MyonnError as error:
        assert where == "first" and "corrupt or truncated gzip file" in str(error)
    assert time.monotonic() - started < 1          # 2.5 s a byte at a time


def test_gzip_files_as_writers_may_make_them_still_load(tmp_path):
    """A member for each image, a header with a 64 KB extra field, a name, a comment and a header CRC,
    zeros after a member: each is gzip, and each has been seen written so."""
    images, _ = make_digits(10_000)
    header = idx_header(10_000, 28, 28)
    content = header + images.tobytes()
    variants = {
        "a member for each image": gzip.compress(header) + b"".join(gzip.compress(image.tobytes(), 1)
                                                                    for image in images),
        "every header field": gzip_member(content, name=b"t10k-images-idx3-ubyte", extra=b"x" * 65535,
                                          comment=b"MNIST"),
        "zeros after each member": b"".join(gzip.compress(part) + bytes(2**16)
                                            for part in (header, content[16:500_000], content[500_000:])),
    }
    for variant, gzipped in variants.items():
        path = tmp_path / "t10k-images-idx3-ubyte.gz"
        path.write_bytes(gzipped)
        assert gzip.GzipFile(fileobj=io.BytesIO(gzipped)).read() == content, variant  # as Python's gzip reads it
        np.testing.assert_array_equal(read_idx(path), images, err_msg=variant)


def test_a_gzipped_file_larger_than_its_own_digits_take_gzipped_is_refused(tmp_path):
    """Under the bound for the largest MNIST file, 40 MB of zeros after the test images took 10 s to skip."""
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    labels = gzip.compress(idx_header(10) + bytes(range(10)))
    with open(path, "wb") as file:
        file.write(labels + b"\x01" * 2**18)          # 256 KB after ten labels (not zeros: those are refused first)
    with pytest.raises(MyonnError) as raised:
        read_idx(path)
    assert str(raised.value) == (f"{path}: {len(labels) + 2**18:,} bytes is more than 10 bytes of digits take gzipped "
                                 f"({8 + 10 + 48 * 10 + 2**17:,} at most)")
    # Stored without compressing, with a long file name in its header and a flush after every image (as
    # a writer may), real digits still fit their bound.
    images, _ = make_digits(10_000)                  # as many as MNIST's test set: 10,000 flushes
    stored = gzip.GzipFile(filename="a" * 1000, mode="wb", fileobj=(buffer := io.BytesIO()), compresslevel=0)
    stored.write(idx_header(10_000, 28, 28))
    for image in images:
        stored.write(image.tobytes())
        stored.flush()
    stored.close()
    path.write_bytes(buffer.getvalue())
    np.testing.assert_array_equal(read_idx(path), images)
    # So do 60,000 labels, a flush after each: the room a writer takes grows with the digits, not the bytes.
    labels = np.random.default_rng(0).integers(0, 10, 60_000, dtype=np.uint8)
    stored = gzip.GzipFile(mode="wb", fileobj=(buffer := io.BytesIO()))
    stored.write(idx_header(60_000))
    for label in labels:
        stored.write(bytes([label]))
        stored.flush()
    stored.close()
    path.write_bytes(buffer.getvalue())
    np.testing.assert_array_equal(read_idx(path), labels)


@pytest.mark.parametrize("shape, message", [
    ((2**32 - 1, 28, 28), "header says 4294967295x28x28: 4,294,967,295 digits, more than MNIST's 70,000"),
    ((100_000, 1_000_000), "an IDX file of 100000x1000000; MNIST holds images (n x 28 x 28) or labels (n)"),
    ((10, 28, 28, 3), "an IDX file of 10x28x28x3; MNIST holds images (n x 28 x 28) or labels (n)"),
    ((10,) * 255, "an IDX file of 255 dimensions; MNIST holds images (n x 28 x 28) or labels (n)"),
    ((5, 784, 1), "images are 5x784x1, expected n x 28 x 28"),
    ((0, 28, 28), "holds no digits (its header says 0x28x28)"),
    ((0,), "holds no digits (its header says 0)"),
])
def test_a_header_mnist_cannot_have_is_refused_before_reading_data(tmp_path, shape, message):
    path = tmp_path / "claims"
    path.write_bytes(idx_header(*shape) + bytes(100))
    with pytest.raises(MyonnError) as raised:
        read_idx(path)
    assert str(raised.value) == f"{path}: {message}"


def test_a_set_of_no_digits_is_refused_not_trained_on(tmp_path):
    write_idx_pair(tmp_path, TEST, np.zeros((0, 28, 28)), np.zeros(0))
    with pytest.raises(MyonnError, match=r"t10k-images-idx3-ubyte.gz: holds no digits"):
        load_mnist(TEST, tmp_path, download=False)


def test_an_empty_csv_set_holds_no_digits(tmp_path):
    (tmp_path / "mnist_test.csv").write_text("label," + ",".join(f"pixel{i}" for i in range(784)) + "\n")
    with pytest.raises(MyonnError, match=r"mnist_test.csv: holds no digits"):
        load_mnist(TEST, tmp_path, download=False)


def test_labels_where_images_should_be_are_refused(tmp_path):
    images, labels = make_digits(3)
    write_idx_pair(tmp_path, TRAIN, labels, labels)
    with pytest.raises(MyonnError, match=r"train-images-idx3-ubyte.gz: images are 3, expected n x 28 x 28"):
        load_mnist(TRAIN, tmp_path, download=False)


@pytest.mark.parametrize("name", ["train-images-idx3-ubyte.gz", "train-images-idx3-ubyte", "mnist_train.csv"])
def test_a_directory_where_a_data_file_should_be_is_one_line(tmp_path, name):
    (tmp_path / name).mkdir()
    with pytest.raises(MyonnError) as raised:
        load_mnist(TRAIN, tmp_path, download=False)
    assert str(raised.value) == f"{tmp_path / name}: is a directory, expected a file"


def test_a_data_dir_that_is_a_file_or_under_one_is_one_line_in_the_words_of_data_dir(tmp_path, monkeypatch):
    """In the words `--data-dir FILE` gets (cli.folder_path), not "…: MNIST data directory is not a
    directory"; from $MYONN_DATA_DIR, naming it. Under a file, it was taken for a folder not there yet,
    and MNIST "not found" there ("… cannot create the data directory (Not a directory)")."""
    path = tmp_path / "mnist"
    path.write_text("not a directory")
    for given in (path, path / "deeper"):
        with pytest.raises(MyonnError) as raised:
            load_mnist(TEST, given)
        assert str(raised.value) == f"{path} is a file, not a folder"
        monkeypatch.setenv("MYONN_DATA_DIR", str(given))
        with pytest.raises(MyonnError) as raised:
            load_mnist(TEST)
        assert str(raised.value) == f"environment variable MYONN_DATA_DIR: {path} is a file, not a folder"


def test_names_too_long_for_the_system_are_one_line(tmp_path):
    for call in (lambda: load_mnist(TEST, tmp_path / ("d" * 300)), lambda: read_idx(tmp_path / ("f" * 300)),
                 lambda: read_csv(tmp_path / ("c" * 300 + ".csv"))):
        with pytest.raises(MyonnError, match=r"cannot read \(File name too long\)") as raised:
            call()
        assert len(str(raised.value)) < 200


def test_an_unreadable_data_file_is_one_line(tmp_path, monkeypatch):
    write_idx_pair(tmp_path, TEST, *make_digits(2))

    def refuse(*_):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(mnist, "open", refuse, raising=False)  # chmod does not stop root
    with pytest.raises(MyonnError, match=r"t10k-images-idx3-ubyte.gz: cannot read \(Permission denied\)"):
        load_mnist(TEST, tmp_path, download=False)


def test_a_csv_larger_than_mnist_is_not_read(tmp_path):
    path = tmp_path / "mnist_train.csv"
    with open(path, "wb") as file:
        file.truncate(mnist.MAX_CSV_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(MyonnError, match=r"bytes is more than 70,000 digits of CSV can take"):
        read_csv(path)


def test_a_csv_of_more_lines_than_mnist_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(mnist, "MAX_DIGITS", 3)
    path = write_csv(tmp_path / "mnist_train.csv", *make_digits(4))
    with pytest.raises(MyonnError, match="mnist_train.csv: 4 lines, more than MNIST's 3 digits"):
        read_csv(path)


def test_a_csv_line_too_long_for_a_digit_is_refused_before_it_is_split(tmp_path):
    # Split at its commas, a line of 220 MB of "10," (under the file's cap) made 73 million values, 4.4 GB.
    path = tmp_path / "mnist_train.csv"
    path.write_bytes(csv_line().encode() + b"\n" + b"10," * 1_000_000 + b"\n")
    with pytest.raises(MyonnError) as raised:
        read_csv(path)
    assert str(raised.value) == (f"{path}, line 2: 3,000,000 bytes, too long for a label and 784 pixels "
                                 f"({mnist.MAX_CSV_LINE_BYTES:,} at most)")


def test_a_csv_of_millions_of_short_lines_is_counted_not_split(tmp_path):
    # As a list, 73 million lines of "ab" (a file under the cap) took 4.5 GB: a bytes object for each.
    path = tmp_path / "mnist_train.csv"
    path.write_bytes(b"ab\n" * 1_000_000)
    tracemalloc.start()
    try:
        with pytest.raises(MyonnError, match="mnist_train.csv: 1,000,000 lines, more than MNIST's 70,000 digits"):
            read_csv(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The file read, and a copy of it, but not 1,000,000 bytes objects (the split took 45 MB).
    assert peak < 3 * 3_000_000


# ---------------------------------------------------------------- read_csv


def test_read_csv_reads_the_talks_format(tmp_path):
    images, labels = make_digits(5)
    read_images, read_labels = read_csv(write_csv(tmp_path / "mnist_test.csv", images, labels))
    assert read_images.dtype == np.uint8 and read_images.shape == (5, 28, 28)
    assert read_labels.dtype == np.uint8 and read_labels.shape == (5,)
    np.testing.assert_array_equal(read_images, images)
    np.testing.assert_array_equal(read_labels, labels)


def test_read_csv_accepts_header_crlf_spaces_and_blank_lines(tmp_path):
    images, labels = make_digits(3)
    plain = csv_text(images, labels)
    header = "label," + ",".join(f"pixel{i}" for i in range(784)) + "\n"
    spaced = plain.replace(",", ", ", 5).replace("\n", "\n\n", 1)
    for name, text in [("header", header + plain), ("crlf", plain.replace("\n", "\r\n")),
                       ("spaced", spaced), ("trailing", plain + "\n\n")]:
        path = tmp_path / f"{name}.csv"
        path.write_bytes(text.encode())
        read_images, read_labels = read_csv(path)
        np.testing.assert_array_equal(read_images, images, err_msg=name)
        np.testing.assert_array_equal(read_labels, labels, err_msg=name)


def test_leading_zeros_are_still_a_value_0_to_255(tmp_path):
    path = tmp_path / "mnist_train.csv"
    path.write_text(csv_line(pixels=["000255"] + [0] * 783) + "\n")
    images, _ = read_csv(path)
    assert images[0, 0, 0] == 255


@pytest.mark.parametrize(
    "bad_line, message",
    [
        (csv_line()[:-2], r"line 3: 784 values, expected 785"),
        (csv_line() + ",0", r"line 3: 786 values, expected 785"),
        (csv_line(pixels=[0] * 100 + [256] + [0] * 683), r"line 3: value 256 is outside 0-255"),
        (csv_line(pixels=[0] * 100 + ["x1"] + [0] * 683), r"line 3: 'x1' is not a number 0-255"),
        (csv_line(pixels=[0] * 100 + [-1] + [0] * 683), r"line 3: '-1' is not a number 0-255"),
        (csv_line(pixels=[0] * 100 + [""] + [0] * 683), r"line 3: '' is not a number 0-255"),
        (csv_line(pixels=[0] * 100 + [2.5] + [0] * 683), r"line 3: '2.5' is not a number 0-255"),
        (csv_line(pixels=[0] * 100 + ["x" * 5000] + [0] * 683),
         r"line 3: '" + "x" * 40 + r"'… \(5,000 characters\) is not a number 0-255$"),
        (csv_line(pixels=[0] * 100 + [10**30] + [0] * 683), r"line 3: value 1000000000000000000000000000000 is outside"),
        (csv_line(pixels=[0] * 100 + ["9" * 5000] + [0] * 683), r"line 3: value 9999999999\.\.\. \(5,000 digits\) is outside"),
        (csv_line(label=10), r"line 3: label 10 is not a digit 0-9"),
    ],
)
def test_read_csv_names_the_bad_line(tmp_path, bad_line, message):
    path = tmp_path / "mnist_train.csv"
    path.write_text("\n".join([csv_line(), csv_line(), bad_line, csv_line()]) + "\n")
    with pytest.raises(MyonnError, match=message) as raised:
        read_csv(path)
    assert str(raised.value).startswith(f"{path}, line 3: ")


def test_read_csv_rejects_an_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("\n")
    with pytest.raises(MyonnError, match="holds no digits"):
        read_csv(path)


# ---------------------------------------------------------------- where the data lives


def test_project_data_dir_is_data_beside_the_package():
    assert project_data_dir() == REPOSITORY_ROOT / "data"


def test_default_data_dir_honours_myonn_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("MYONN_DATA_DIR", str(tmp_path))
    assert default_data_dir() == tmp_path
    monkeypatch.setenv("MYONN_DATA_DIR", "")
    assert default_data_dir() == project_data_dir()
    monkeypatch.delenv("MYONN_DATA_DIR")
    assert default_data_dir() == project_data_dir()


def test_load_mnist_uses_default_data_dir(monkeypatch, tmp_path):
    images, labels = make_digits(4)
    write_idx_pair(tmp_path, TEST, images, labels)
    monkeypatch.setenv("MYONN_DATA_DIR", str(tmp_path))
    np.testing.assert_array_equal(load_mnist(TEST, download=False)[0], images)


def test_a_data_folder_whose_name_begins_or_ends_with_a_space_is_named_so_that_it_can_be_seen(monkeypatch, tmp_path):
    """MYONN_DATA_DIR=" " was named as "put … in   (downloading is off)": no name to be seen."""
    monkeypatch.chdir(tmp_path)
    for name in (" ", " mnist", "mnist ", f"{tmp_path}/mnist\u00a0"):   # \u00a0: a no-break space, blank too
        monkeypatch.setenv("MYONN_DATA_DIR", name)
        with pytest.raises(MyonnError) as raised:
            load_mnist(TEST, download=False)
        assert str(raised.value) == ("MNIST not found: put t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz "
                                     f"(or mnist_test.csv) in {name!r} (downloading is off)")
    monkeypatch.setenv("MYONN_DATA_DIR", "mn ist")                   # a space within it is seen: as before
    with pytest.raises(MyonnError, match=r"\) in mn ist \(downloading is off\)$"):
        load_mnist(TEST, download=False)


# ---------------------------------------------------------------- load_mnist


@pytest.mark.parametrize("gz", [False, True])
def test_load_mnist_reads_the_idx_pair(tmp_path, gz):
    images, labels = make_digits(6)
    write_idx_pair(tmp_path, TRAIN, images, labels, gz=gz)
    read_images, read_labels = load_mnist(TRAIN, tmp_path, download=False)
    np.testing.assert_array_equal(read_images, images)
    np.testing.assert_array_equal(read_labels, labels)


def test_load_mnist_accepts_the_dotted_spelling(tmp_path):
    images, labels = make_digits(3)
    write_idx(tmp_path / "t10k-images.idx3-ubyte", images)
    write_idx(tmp_path / "t10k-labels.idx1-ubyte", labels)
    np.testing.assert_array_equal(load_mnist(TEST, tmp_path, download=False)[1], labels)


def test_load_mnist_prefers_idx_to_csv(tmp_path):
    idx_images, idx_labels = make_digits(4, seed=1)
    write_idx_pair(tmp_path, TRAIN, idx_images, idx_labels)
    write_csv(tmp_path / "mnist_train.csv", *make_digits(2, seed=2))
    np.testing.assert_array_equal(load_mnist(TRAIN, tmp_path, download=False)[0], idx_images)


def test_load_mnist_falls_back_to_csv(tmp_path):
    images, labels = make_digits(4)
    write_csv(tmp_path / "mnist_test.csv", images, labels)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", make_digits(4, seed=9)[0], gz=True)  # half a pair
    read_images, read_labels = load_mnist(TEST, tmp_path, download=False)
    np.testing.assert_array_equal(read_images, images)
    np.testing.assert_array_equal(read_labels, labels)


def test_load_mnist_limit_returns_the_first_records_but_checks_the_whole_file(tmp_path):
    images, labels = make_digits(10)
    write_idx_pair(tmp_path, TRAIN, images, labels)
    read_images, read_labels = load_mnist(TRAIN, tmp_path, download=False, limit=3)
    np.testing.assert_array_equal(read_images, images[:3])
    np.testing.assert_array_equal(read_labels, labels[:3])

    labels_path = tmp_path / "train-labels-idx1-ubyte.gz"
    labels_path.write_bytes(gzip.compress(idx_bytes(labels)[:-1]))
    with pytest.raises(MyonnError, match="truncated"):
        load_mnist(TRAIN, tmp_path, download=False, limit=3)


def test_load_mnist_rejects_count_mismatch(tmp_path):
    images, labels = make_digits(5)
    write_idx_pair(tmp_path, TRAIN, images, labels[:4])
    with pytest.raises(MyonnError, match=r"holds 5 images but .*train-labels-idx1-ubyte.gz holds 4 labels"):
        load_mnist(TRAIN, tmp_path, download=False)


def test_load_mnist_rejects_images_that_are_not_28x28(tmp_path):
    images, labels = make_digits(3)
    write_idx_pair(tmp_path, TRAIN, images[:, :27, :27], labels)
    with pytest.raises(MyonnError, match=r"train-images-idx3-ubyte.gz: images are 3x27x27, expected n x 28 x 28"):
        load_mnist(TRAIN, tmp_path, download=False)


def test_load_mnist_rejects_labels_above_9(tmp_path):
    images, labels = make_digits(3)
    labels[1] = 12
    write_idx_pair(tmp_path, TRAIN, images, labels)
    with pytest.raises(MyonnError, match=r"train-labels-idx1-ubyte.gz: label 12 of digit 1 is not 0-9"):
        load_mnist(TRAIN, tmp_path, download=False)


def test_load_mnist_rejects_unknown_kind(tmp_path):
    with pytest.raises(MyonnError, match="unknown MNIST kind 'validation'"):
        load_mnist("validation", tmp_path, download=False)


def test_load_mnist_without_download_says_what_to_put_where(tmp_path):
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", make_digits(2)[1], gz=True)
    with pytest.raises(MyonnError) as raised:
        load_mnist(TRAIN, tmp_path, download=False)
    message = str(raised.value)
    assert message.startswith("MNIST not found: put train-images-idx3-ubyte.gz (or mnist_train.csv)")
    assert str(tmp_path) in message and "train-labels" not in message
    assert "\n" not in message


# ---------------------------------------------------------------- download_mnist


@pytest.fixture
def fake_mnist():
    """Small generated train and test sets: {name: (idx bytes, md5 of them)}."""
    files = {}
    for kind, seed, count in [(TRAIN, 1, 6), (TEST, 2, 3)]:
        images, labels = make_digits(count, seed)
        for name, array in zip(MNIST_FILES[kind], (images, labels)):
            content = idx_bytes(array)
            files[name] = (content, hashlib.md5(content).hexdigest())
    return files


@pytest.fixture
def mirror_server(fake_mnist):
    """A local HTTP server with one mirror per way a download can go.

    /good/     serves the fake files; /missing/ answers 404; /corrupt/ serves other content
    (MD5 mismatch); /garbage/ serves bytes that are not gzip; /cut/ hangs up halfway through; /slow/ waits before answering;
    /endless/ streams zeros without end; /huge/ announces 10 GB; /trickle/ sends a byte every 20 ms;
    /slow-headers/ sends its headers a byte every 0.2 s (until the test is over, at most 10 s);
    /redirect-loop/ redirects to itself; /bomb/ serves a 100 KB .gz that unpacks to 100 MB;
    /padded/ serves the fake files followed by 128 KB of zeros, /long-named/ followed by an empty gzip
    member whose header names a file of 256 KB: each passes the MD5, and read_idx refuses it.
    Yields its base url and the paths requested.
    """
    requests = []
    test_over = threading.Event()

    class MirrorHandler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            mirror, _, filename = self.path.strip("/").partition("/")
            name = filename.removesuffix(".gz")
            if mirror == "missing" or name not in fake_mnist or not filename.endswith(".gz"):
                self.send_error(404)
                return
            if mirror == "escapes":   # a status line that would recolour the terminal and rename its window
                self.send_response(500, "\x1b]0;PWNED\x07\x1b[41m RED \x1b[0m")
                self.end_headers()
                return
            content = fake_mnist[name][0]
            if mirror == "slow-headers":
                self.send_headers_without_end()
                return
            if mirror == "redirect-loop":
                self.send_response(302)
                self.send_header("Location", self.path)
                self.end_headers()
                return
            if mirror in ("endless", "huge", "trickle"):
                self.send_unbounded(mirror)
                return
            if mirror == "slow":
                time.sleep(1)
            if mirror == "corrupt":
                content = content[:-1] + bytes([content[-1] ^ 0xFF])
            body = b"not gzip at all" if mirror == "garbage" else gzip.compress(content)
            if mirror == "bomb":
                body = gzip_bomb(content, 100)
            if mirror == "padded":
                body += bytes(2**17)
            if mirror == "long-named":
                body += gzip_member(name=b"n" * 2**18)
            try:
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if mirror == "cut" else body)
            except ConnectionError:
                pass  # the client gave up on /slow/, as it should

        def send_unbounded(self, mirror):
            try:
                self.send_response(200)
                if mirror == "huge":
                    self.send_header("Content-Length", str(10 * 2**30))
                self.end_headers()
                for _ in range(100_000):  # stops when the client hangs up
                    self.wfile.write(b"\0" if mirror == "trickle" else bytes(2**16))
                    self.wfile.flush()
                    if mirror == "trickle":
                        time.sleep(0.02)
            except ConnectionError:
                pass

        def send_headers_without_end(self):
            """Every byte comes well within the client's timeout for one read, so only a deadline on the
            whole stops it; hanging up after 10 s makes a client without one fail rather than hang."""
            try:
                self.wfile.write(b"HTTP/1.0 200 OK\r\nX-Slow: ")
                for _ in range(50):
                    if test_over.wait(0.2):
                        return
                    self.wfile.write(b"x")
            except ConnectionError:
                pass

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), MirrorHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield types.SimpleNamespace(url=f"http://127.0.0.1:{server.server_address[1]}", requests=requests)
    test_over.set()
    server.shutdown()
    server.server_close()


def expected_md5_of(fake_mnist):
    return {name: md5 for name, (_, md5) in fake_mnist.items()}


def closed_port_url():
    """A URL on a port nothing listens on: the connection is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def test_download_tries_mirrors_in_turn_and_keeps_only_verified_files(tmp_path, mirror_server, fake_mnist, capsys):
    mirrors = [f"{mirror_server.url}/missing/", f"{mirror_server.url}/corrupt", closed_port_url(),
               f"{mirror_server.url}/garbage/", f"{mirror_server.url}/good/"]
    download_mnist(tmp_path, mirrors=mirrors, progress=False, expected_md5=expected_md5_of(fake_mnist))

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(name + ".gz" for name in fake_mnist)
    for name, (content, _) in fake_mnist.items():
        assert gzip.decompress((tmp_path / (name + ".gz")).read_bytes()) == content
    images, labels = load_mnist(TEST, tmp_path, download=False)
    assert images.shape == (3, 28, 28) and labels.shape == (3,)
    stderr = capsys.readouterr().err
    assert "HTTP 404" in stderr and "MD5 of the unzipped file is" in stderr and "refused" in stderr
    assert "not a valid gzip file" in stderr
    assert "/corrupt/train-images-idx3-ubyte.gz" in stderr  # one slash, however the mirror was written


def test_a_mirrors_answer_is_noted_with_a_terminals_codes_escaped(tmp_path, mirror_server, fake_mnist, capsys):
    name = "t10k-labels-idx1-ubyte"
    download_mnist(tmp_path, mirrors=[f"{mirror_server.url}/escapes/", f"{mirror_server.url}/good/"], names=[name],
                   progress=False, expected_md5=expected_md5_of(fake_mnist))
    stderr = capsys.readouterr().err
    assert "\\x1b]0;PWNED\\x07\\x1b[41m RED" in stderr and "\x1b" not in stderr and "\x07" not in stderr


@pytest.mark.parametrize("mirror, refusal", [
    ("padded", "65,536 bytes of zeros after its gzip data (padding), more than any MNIST file has"),
    ("long-named", "bytes is more than 3 bytes of digits take gzipped"),
])
def test_a_download_that_later_runs_would_refuse_fails_its_mirror_and_is_not_put_in_place(
        tmp_path, mirror_server, fake_mnist, capsys, mirror, refusal):
    """Only the MD5 of its content was checked: real MNIST padded with 5 MB of zeros was put in place,
    and every later run refused it."""
    name, url = "t10k-labels-idx1-ubyte", f"{mirror_server.url}/{mirror}/"
    with pytest.raises(MyonnError) as raised:
        download_mnist(tmp_path, mirrors=[url], names=[name], progress=False, expected_md5=expected_md5_of(fake_mnist))
    message = str(raised.value)
    assert message.startswith(f"could not download {name}.gz: no mirror could be reached ({url}{name}.gz: ")
    assert refusal in message and ".part" not in message
    assert list(tmp_path.iterdir()) == []
    # The next mirror is tried, and the one refused is named once a file is in place.
    download_mnist(tmp_path, mirrors=[url, f"{mirror_server.url}/good/"], names=[name], progress=False,
                   expected_md5=expected_md5_of(fake_mnist))
    assert idx_bytes(read_idx(tmp_path / (name + ".gz"))) == fake_mnist[name][0]
    assert refusal in capsys.readouterr().err


def test_a_downloaded_file_may_be_read_by_whom_the_umask_allows(tmp_path, mirror_server, fake_mnist):
    """As any file the user makes: downloads were 0600 (mkstemp's), so in a data folder shared with others,
    they got "Permission denied"."""
    umask = os.umask(0o027)
    try:
        download_mnist(tmp_path, mirrors=[f"{mirror_server.url}/good/"], names=["t10k-labels-idx1-ubyte"],
                       progress=False, expected_md5=expected_md5_of(fake_mnist))
    finally:
        os.umask(umask)
    assert (tmp_path / "t10k-labels-idx1-ubyte.gz").stat().st_mode & 0o777 == 0o640


def test_a_data_folder_named_through_a_link_and_dot_dot_is_downloaded_into_where_the_system_finds_it(
        tmp_path, mirror_server, fake_mnist):
    """`--data-dir LINK/../mnist`: the system takes LINK/.. for the folder above where LINK leads, and made
    the data folder there; the temporary file's folder was LINK/.. as text (tempfile's os.path.abspath),
    the folder LINK is in, so "cannot write there (No such file or directory)"."""
    (tmp_path / "elsewhere" / "deep").mkdir(parents=True)
    (tmp_path / "here").mkdir()
    (tmp_path / "here" / "link").symlink_to(tmp_path / "elsewhere" / "deep")
    name = "t10k-labels-idx1-ubyte"
    download_mnist(tmp_path / "here" / "link" / ".." / "mnist", mirrors=[f"{mirror_server.url}/good/"],
                   names=[name], progress=False, expected_md5=expected_md5_of(fake_mnist))
    assert os.listdir(tmp_path / "elsewhere" / "mnist") == [name + ".gz"]
    assert idx_bytes(read_idx(tmp_path / "elsewhere" / "mnist" / (name + ".gz"))) == fake_mnist[name][0]
    assert os.listdir(tmp_path / "here") == ["link"]


def test_download_fetches_only_missing_files_by_default(tmp_path, mirror_server, fake_mnist):
    already_there = write_idx(tmp_path / "t10k-labels-idx1-ubyte", make_digits(1)[1])
    before = already_there.read_bytes()
    download_mnist(tmp_path, mirrors=[f"{mirror_server.url}/good/"], progress=False,
                   expected_md5=expected_md5_of(fake_mnist))
    assert already_there.read_bytes() == before
    assert not (tmp_path / "t10k-labels-idx1-ubyte.gz").exists()
    assert len(mirror_server.requests) == 3


@pytest.mark.parametrize("mirror", ["missing", "corrupt", "garbage", "cut"])
def test_failed_download_leaves_nothing_behind(tmp_path, mirror_server, fake_mnist, mirror):
    with pytest.raises(MyonnError, match=r"could not download t10k-images-idx3-ubyte.gz: no mirror could be reached"):
        download_mnist(tmp_path, mirrors=[f"{mirror_server.url}/{mirror}/"], names=["t10k-images-idx3-ubyte"],
                       progress=False, expected_md5=expected_md5_of(fake_mnist))
    assert list(tmp_path.iterdir()) == []


def test_a_failed_download_takes_away_the_folders_it_made_and_only_those(tmp_path, mirror_server, fake_mnist):
    (tmp_path / "was").mkdir()  # there before the download: it stays
    data_dir = tmp_path / "was" / "not" / "there"
    with pytest.raises(MyonnError, match="could not download train-images-idx3-ubyte.gz: no mirror"):
        download_mnist(data_dir, mirrors=[f"{mirror_server.url}/missing/"], progress=False,
                       expected_md5=expected_md5_of(fake_mnist))
    assert list(tmp_path.iterdir()) == [tmp_path / "was"] and list((tmp_path / "was").iterdir()) == []
    # A file downloaded before a later one failed is kept, and so the folders that hold it.
    with pytest.raises(MyonnError, match="cannot download t10k-images-idx3-ubyte: not one of"):
        download_mnist(data_dir, mirrors=[f"{mirror_server.url}/good/"], progress=False,
                       names=["t10k-labels-idx1-ubyte", "t10k-images-idx3-ubyte"],
                       expected_md5={"t10k-labels-idx1-ubyte": fake_mnist["t10k-labels-idx1-ubyte"][1]})
    assert list(data_dir.iterdir()) == [data_dir / "t10k-labels-idx1-ubyte.gz"]


def test_download_gives_up_on_a_mirror_that_times_out(tmp_path, mirror_server, fake_mnist, monkeypatch):
    monkeypatch.setattr(mnist, "DOWNLOAD_TIMEOUT_S", 0.2)
    with pytest.raises(MyonnError, match="timed out"):
        download_mnist(tmp_path, mirrors=[f"{mirror_server.url}/slow/"], names=["t10k-labels-idx1-ubyte"],
                       progress=False, expected_md5=expected_md5_of(fake_mnist))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("mirror, limits, message", [
    ("endless", {"MAX_DOWNLOAD_BYTES": 300_000}, "sent more than 300,000 bytes (no MNIST file is that large)"),
    ("huge", {}, "sent more than 20,971,520 bytes"),
    ("trickle", {"DOWNLOAD_DEADLINE_S": 0.3}, "took longer than 0.3 s"),
    ("slow-headers", {"DOWNLOAD_DEADLINE_S": 1}, "took longer than 1 s"),
    ("bomb", {}, "unzips to more than 54,880,016 bytes (no MNIST file is that large)"),
])
def test_a_mirror_that_sends_without_end_is_cut_off(tmp_path, mirror_server, fake_mnist, monkeypatch, mirror,
                                                   limits, message):
    for name, value in limits.items():
        monkeypatch.setattr(mnist, name, value)
    started = time.monotonic()
    with pytest.raises(MyonnError, match=re.escape(message)):
        download_mnist(tmp_path, mirrors=[f"{mirror_server.url}/{mirror}/"], names=["t10k-labels-idx1-ubyte"],
                       progress=False, expected_md5=expected_md5_of(fake_mnist))
    assert time.monotonic() - started < 5
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_while_a_mirror_is_slow_to_answer_stops_at_once_and_leaves_nothing(tmp_path, mirror_server,
                                                                                  monkeypatch):
    monkeypatch.setattr(mnist, "DOWNLOAD_DEADLINE_S", 5)
    # Ctrl-C as the scripts hear it (cli.run sets this): a test run started with Ctrl-C ignored (a
    # background job of a script, `cmd &`) inherits SIG_IGN, and interrupt_main then does nothing at all.
    # The autouse fixture ctrl_c_handled_as_before puts the run's own handler back afterwards.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    threading.Timer(0.3, _thread.interrupt_main).start()  # as Ctrl-C would, while the headers trickle in
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        download_mnist(tmp_path, mirrors=[f"{mirror_server.url}/slow-headers/"], names=["t10k-labels-idx1-ubyte"],
                       progress=False)
    assert time.monotonic() - started < 2
    assert list(tmp_path.iterdir()) == []


def test_a_mirror_failure_is_one_line_however_urllib_words_it(tmp_path, mirror_server):
    """urllib's error for a redirect loop runs over three lines; the message gives it on one."""
    with pytest.raises(MyonnError) as raised:
        download_mnist(tmp_path, mirrors=[f"{mirror_server.url}/redirect-loop/"], names=["t10k-labels-idx1-ubyte"],
                       progress=False)
    message = str(raised.value)
    assert "\n" not in message
    assert ("redirect-loop/t10k-labels-idx1-ubyte.gz: HTTP 302 The HTTP server returned a redirect error that "
            "would lead to an infinite loop. The last 30x error message was: Found)") in message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("bad_mirror", ["http://[::1/", "file://[::1/"])
def test_a_mirror_that_is_no_url_is_passed_over_and_named(tmp_path, mirror_server, fake_mnist, bad_mirror):
    # urllib.parse raised its ValueError outside the download's try: a traceback instead of one line.
    download_mnist(tmp_path, mirrors=[bad_mirror, f"{mirror_server.url}/good/"], names=["t10k-labels-idx1-ubyte"],
                   progress=False, expected_md5=expected_md5_of(fake_mnist))
    assert (tmp_path / "t10k-labels-idx1-ubyte.gz").exists()
    with pytest.raises(MyonnError) as raised:
        download_mnist(tmp_path, mirrors=[bad_mirror], names=["t10k-images-idx3-ubyte"], progress=False)
    assert str(raised.value) == ("could not download t10k-images-idx3-ubyte.gz: no mirror could be reached "
                                 f"({bad_mirror}t10k-images-idx3-ubyte.gz: Invalid IPv6 URL)")


def test_a_file_mirror_that_is_a_named_pipe_is_passed_over_at_once(tmp_path, mirror_server, fake_mnist):
    # urllib would open the pipe and wait for a writer until the deadline, ten minutes.
    pipes = tmp_path / "pipes?"                                   # a ? in the path too, as urllib reads it
    pipes.mkdir()
    os.mkfifo(pipes / "t10k-labels-idx1-ubyte.gz")
    data = tmp_path / "data"
    data.mkdir()
    started = time.monotonic()
    download_mnist(data, mirrors=[f"file://{pipes}/", f"{mirror_server.url}/good/"],
                   names=["t10k-labels-idx1-ubyte"], progress=False, expected_md5=expected_md5_of(fake_mnist))
    assert time.monotonic() - started < 30
    assert gzip.decompress((data / "t10k-labels-idx1-ubyte.gz").read_bytes()) == fake_mnist["t10k-labels-idx1-ubyte"][0]
    with pytest.raises(MyonnError, match="t10k-labels-idx1-ubyte.gz: not a regular file"):
        download_mnist(tmp_path / "data2", mirrors=[pipes.as_uri() + "/"], names=["t10k-labels-idx1-ubyte"],
                       progress=False)


def test_a_directory_where_a_download_should_go_is_one_line(tmp_path):
    (tmp_path / "t10k-labels-idx1-ubyte.gz").mkdir()
    with pytest.raises(MyonnError, match="t10k-labels-idx1-ubyte.gz: is a directory where the downloaded file should go"):
        download_mnist(tmp_path, mirrors=["http://example.invalid/"], names=["t10k-labels-idx1-ubyte"])


def test_interrupted_download_leaves_nothing_behind(tmp_path, monkeypatch):
    class InterruptedResponse:
        headers = {"Content-Length": "100000"}
        chunks_sent = 0

        def read1(self, size):
            self.chunks_sent += 1
            if self.chunks_sent > 1:
                raise KeyboardInterrupt
            return bytes(size)

        def __enter__(self):
            return self

        def __exit__(self, *exception):
            return False

    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: InterruptedResponse())
    with pytest.raises(KeyboardInterrupt):
        download_mnist(tmp_path, mirrors=["http://example.invalid/"], names=["t10k-labels-idx1-ubyte"],
                       progress=False)
    assert list(tmp_path.iterdir()) == []


def test_download_into_a_read_only_directory_says_so(tmp_path, monkeypatch):
    def refuse(**_):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(mnist.tempfile, "mkstemp", refuse)
    with pytest.raises(MyonnError, match=f"{tmp_path}: cannot write there \\(Permission denied\\)"):
        download_mnist(tmp_path, mirrors=["http://example.invalid/"], names=["t10k-labels-idx1-ubyte"])


class FullDiskFile(io.FileIO):
    """A file whose every write fails as on a full disk, and that closes without complaint (it holds nothing)."""

    def write(self, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("mirror, disk", [("good", "/dev/full"), ("endless", "/dev/full"), ("file", "/dev/full"),
                                          ("file", "failing writes")])
def test_a_full_disk_stops_the_download_at_once_in_one_line(tmp_path, mirror_server, fake_mnist, monkeypatch,
                                                             mirror, disk):
    """A full disk was taken for the mirror's failure: every mirror was downloaded again, to be told "no mirror
    could be reached (...: [Errno 28] No space left on device; ...)"; and what waited in the write buffer
    when the file was closed (a small file, or the last small read) failed there, in a traceback."""
    def onto_dev_full(dir, prefix, suffix):  # every write to /dev/full fails as on a full disk
        return os.open("/dev/full", os.O_WRONLY), os.path.join(dir, prefix + "full" + suffix)

    if disk == "/dev/full":
        monkeypatch.setattr(mnist.tempfile, "mkstemp", onto_dev_full)
    else:
        monkeypatch.setattr(mnist.os, "fdopen", FullDiskFile)
    (tmp_path / "mirror").mkdir()
    (tmp_path / "mirror" / "t10k-labels-idx1-ubyte.gz").write_bytes(bytes(2**20))  # read 64 KB at a time
    first_mirror = (tmp_path / "mirror").as_uri() + "/" if mirror == "file" else f"{mirror_server.url}/{mirror}/"
    data_dir = tmp_path / "data"
    with pytest.raises(MyonnError) as raised:
        download_mnist(data_dir, mirrors=[first_mirror, f"{mirror_server.url}/second/"],
                       names=["t10k-labels-idx1-ubyte"], progress=False, expected_md5=expected_md5_of(fake_mnist))
    assert str(raised.value) == f"cannot write {data_dir / 't10k-labels-idx1-ubyte.gz'}: No space left on device"
    assert "/second/t10k-labels-idx1-ubyte.gz" not in mirror_server.requests
    assert not data_dir.exists()


def test_load_mnist_downloads_from_myonn_mirrors_when_nothing_is_there(tmp_path, mirror_server, fake_mnist,
                                                                        monkeypatch):
    monkeypatch.setenv("MYONN_MIRRORS", f" {mirror_server.url}/missing/ ,{mirror_server.url}/good/")
    monkeypatch.setattr(mnist, "MNIST_MD5", expected_md5_of(fake_mnist))
    data_dir = tmp_path / "not" / "yet" / "there"
    images, labels = load_mnist(TRAIN, data_dir, limit=4)
    assert images.shape == (4, 28, 28) and labels.shape == (4,)
    assert sorted(p.name for p in data_dir.iterdir()) == ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]


def test_load_mnist_says_what_to_put_where_when_no_mirror_works(tmp_path, mirror_server, monkeypatch):
    monkeypatch.setenv("MYONN_MIRRORS", f"{mirror_server.url}/missing/,{closed_port_url()}")
    with pytest.raises(MyonnError) as raised:
        load_mnist(TEST, tmp_path)
    message = str(raised.value)
    assert message.startswith(
        "MNIST not found: put t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (or mnist_test.csv) "
        f"in {tmp_path} (could not download t10k-images-idx3-ubyte.gz: no mirror could be reached"
    )
    assert "\n" not in message
    assert list(tmp_path.iterdir()) == []


def test_default_mirrors_are_public_https_and_myonn_mirrors_replaces_them(monkeypatch):
    assert len(mnist.MIRRORS) >= 2 and all(url.startswith("https://") for url in mnist.MIRRORS)
    monkeypatch.delenv("MYONN_MIRRORS", raising=False)
    assert mnist._mirrors_to_try() == mnist.MIRRORS
    monkeypatch.setenv("MYONN_MIRRORS", "http://a/, ,http://b/")
    assert mnist._mirrors_to_try() == ["http://a/", "http://b/"]


# ---------------------------------------------------------------- the real thing


def test_real_mnist(capsys, real_mnist_dir):
    data_dir = real_mnist_dir
    for name, md5 in MNIST_MD5.items():
        path = mnist._find_idx_file(data_dir, name)
        content = path.read_bytes()
        if path.suffix == ".gz":
            content = gzip.decompress(content)
        assert hashlib.md5(content).hexdigest() == md5, name

    train_images, train_labels = load_mnist(TRAIN, data_dir, download=False)
    test_images, test_labels = load_mnist(TEST, data_dir, download=False)
    assert train_images.shape == (60000, 28, 28) and train_labels.shape == (60000,)
    assert test_images.shape == (10000, 28, 28) and test_labels.shape == (10000,)
    assert train_images.dtype == test_images.dtype == train_labels.dtype == np.uint8
    assert set(np.unique(train_labels)) == set(np.unique(test_labels)) == set(range(10))
    assert train_images.max() == 255 and train_images.min() == 0


def test_with_no_mnist_and_no_network_the_tests_stop_with_one_message_saying_what_to_do(tmp_path):
    """The suite's own finding of MNIST (tests/conftest.py): one clear failure, not a wall of errors."""
    empty = tmp_path / "empty"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_mnist.py::test_real_mnist", "tests/test_mnist_test.py"],
        cwd=REPOSITORY_ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "MYONN_DATA_DIR": str(empty), "MYONN_MIRRORS": "http://127.0.0.1:9/"})
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert output.count("these tests need the real MNIST, and it could not be found or downloaded") == 1
    assert "Put the four .gz files in data/, or set MYONN_DATA_DIR" in output
    assert "Traceback" not in output and " error" not in output.lower().replace("mnist_train", "")
    assert not empty.exists()  # no half-downloaded file left behind, nor the folder made for it
