"""myonn: Make Your Own Neural Network, in Python.

A 784-200-10 sigmoid network written from scratch on NumPy that learns the MNIST digits,
after the talk "Make Your Own Neural Network with Ruby" (If.rb #5, 2019).

Where things live (the README's Layout has every module):
    the math      network.py: weights, sigmoid, query, train, cost_of, back_query, and nothing else
    the data      inputs.py (the one place pixels become network input, labels targets), mnist.py,
                  transform.py (deskewing), augment.py, handwriting.py (a drawing becomes a 28×28
                  image), drawn_styles.py, my_digits.py
    training      training.py, recipes.py, teaching.py, evaluation.py, learning_curve.py,
                  hidden_layer.py; model.py and model_store.py (a model on disk, and where models live)
    the windows   windows/: one module per window, and pictures.py, the drawing they share
    the scripts'  cli.py (flags, one-line errors), errors.py (the error a user can fix), paths.py (a path
                  as a person gives it, and why no folder can be there), early_ctrl_c.py
                  (imported first: a Ctrl-C while NumPy loads)
"""
