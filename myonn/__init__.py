"""myonn: Make Your Own Neural Network, in Python.

A 784-200-10 sigmoid network written from scratch on NumPy that learns the MNIST digits,
after the talk "Make Your Own Neural Network with Ruby" (If.rb #5, 2019).

Where things live:
    network.py  the network itself: weights, sigmoid, query, train (the math only)
    inputs.py   the one place that turns pixels into network input, and labels into targets
    mnist.py    reading, checking and downloading MNIST
    model.py    saving and loading trained networks (.npz, and the Ruby original's YAML)
"""
