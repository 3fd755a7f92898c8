"""Arrays a user hands in (issue 20, case 6): np.matrix is converted (its values are unambiguous), masked
arrays and object arrays are refused with a message naming the argument, and nothing changes before the
refusal (no weight, neuron or history)."""
import numpy as np
import pytest
from explorer_support import X, Y, streetlights_network
from helpers import assert_same, snapshot

from simnet import MapInput


def masked(a):
    m = np.ma.masked_array(np.asarray(a, float), mask=np.zeros(np.shape(a), bool))
    m.mask.flat[0] = True
    return m


def objects(a):
    return np.asarray(a, float).astype(object)


BAD = {"masked": (masked, "masked array"), "object": (objects, "dtype object")}


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.matrix is what the test hands in
def test_a_matrix_is_taken_as_the_array_it_holds():
    plain, matrix = streetlights_network(), streetlights_network()
    plain.fit(X, Y, 0.2, max_iter=30)
    matrix.fit(np.asmatrix(X), np.asmatrix(Y), 0.2, max_iter=30)
    for a, b in zip(plain.layers, matrix.layers):
        if a.weight_row_mat is not None:
            np.testing.assert_array_equal(a.weight_row_mat, b.weight_row_mat)
            assert type(b.weight_row_mat) is np.ndarray
    layer = matrix.input
    layer.set_neurons(np.asmatrix(X[1]))
    assert type(layer.neuron_row_array) is np.ndarray and layer.neuron_row_array.shape == (1, 3)


@pytest.mark.parametrize("kind", list(BAD))
@pytest.mark.parametrize("call, argument", [
    (lambda net, bad: net.fit(X, bad(Y), 0.2, max_iter=5), "goals"),
    (lambda net, bad: net.fit(bad(X), Y, 0.2, max_iter=5), "inputs"),
    (lambda net, bad: net.run_epoch(bad(X), Y, 0.1, batch_size=2), "inputs"),
    (lambda net, bad: net.run_epoch(X, bad(Y), 0.1, batch_size=2), "goals"),
    (lambda net, bad: net.input.set_neurons(bad(X[0])), "set_neurons values"),
    (lambda net, bad: net.output.calc_delta(bad(Y[0])), "goal"),
    (lambda net, bad: setattr(net.input, "weight_row_mat", bad(net.input.weight_row_mat)), "weight_row_mat"),
    (lambda net, bad: net.predict(bad(X)), "inputs"),
])
def test_masked_and_object_arrays_are_refused_before_anything_changes(kind, call, argument):
    net = streetlights_network()
    net.fit(X, Y, 0.2, max_iter=3)
    before = snapshot(net)
    make, words = BAD[kind]
    with pytest.raises((TypeError, ValueError)) as e:
        call(net, make)
    assert argument in str(e.value) and words in str(e.value), str(e.value)
    assert_same(before, snapshot(net))


def test_a_map_input_refuses_a_masked_image():
    from simnet import Flatten

    inp = MapInput("image", (1, 2, 2))
    Flatten("flat", source=inp)
    with pytest.raises(TypeError, match=r"image.*set_neurons values.*masked array"):
        inp.set_neurons(masked(np.ones((1, 2, 2))))
