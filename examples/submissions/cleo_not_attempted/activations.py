# Your exercises. Replace each `raise NotImplementedError(...)` with your code,
# then run `autograder check` to test your work.
"""Assignment 3: activations and the forward pass.

Linear layers alone can only draw straight lines. An activation function, applied
element by element (or, for softmax, along one dimension), adds the non-linearity
that lets stacked layers learn more. Activations keep the shape of their input.
"""
import torch
from torch import nn


def apply_sigmoid(x: torch.Tensor) -> torch.Tensor:
    """Apply the sigmoid activation with an ``nn.Sigmoid`` layer.

    ``nn.Sigmoid()`` creates the layer; calling the layer on a tensor applies
    ``1 / (1 + exp(-x))`` to every element, squashing any number into ``(0, 1)``: the
    probability of the positive class in binary classification. The output has the
    same shape as the input. (``torch.sigmoid(x)`` computes the same thing.)

    Example::

        >>> apply_sigmoid(torch.tensor([0.0, 2.0]))
        tensor([0.5000, 0.8808])

    Args:
        x: float tensor of any shape (the pre-activation output); must not be modified.

    Returns:
        A new tensor of the same shape and dtype, every value in ``[0, 1]`` (in
        float32, very large inputs round to exactly 0 or 1).
    """
    raise NotImplementedError("apply_sigmoid is not done yet: replace this line with your code")


def build_binary_classifier(n_features: int) -> nn.Sequential:
    """Build logistic regression as a network: one linear layer then a sigmoid.

    For two classes a single output is enough: the sigmoid turns it into the
    probability of the positive class. This model is exactly logistic regression
    from classical machine learning. The activation is the last layer of the
    ``nn.Sequential``.

    Example::

        >>> build_binary_classifier(3)
        Sequential(
          (0): Linear(in_features=3, out_features=1, bias=True)
          (1): Sigmoid()
        )

    Args:
        n_features: number of input features (> 0).

    Returns:
        ``nn.Sequential(nn.Linear(n_features, 1), nn.Sigmoid())``.
    """
    raise NotImplementedError("build_binary_classifier is not done yet: replace this line with your code")


def apply_softmax(logits: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Turn scores (logits) into probabilities along one dimension.

    Softmax exponentiates each score and divides by the sum along ``dim``, so the
    values along that dimension are positive and sum to one: a probability for each
    class. For a batch of shape ``(batch, classes)`` that is ``dim=-1`` (each row),
    not ``dim=0`` (across the batch). ``nn.Softmax(dim=...)`` or
    ``torch.softmax(x, dim=...)`` do it without overflowing on large scores; a
    hand-written ``exp(x) / exp(x).sum(dim=dim, keepdim=True)`` overflows unless you
    subtract the maximum first.

    Example::

        >>> apply_softmax(torch.tensor([[1.0, 1.0], [1000.0, 1000.0]]))
        tensor([[0.5000, 0.5000],
                [0.5000, 0.5000]])

    Args:
        logits: float tensor of any shape with at least one dimension; must not
            be modified.
        dim: the dimension along which the probabilities sum to one.

    Returns:
        A new tensor of the same shape and dtype as ``logits``.
    """
    raise NotImplementedError("apply_softmax is not done yet: replace this line with your code")


def forward_pass(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Run a forward pass: pass a batch through a model to get its predictions.

    The forward pass feeds input data through every layer in turn, using the
    model's current weights and biases, and returns what the last layer outputs. For
    predictions no gradients are needed: run it inside ``torch.no_grad()`` so the
    result does not require grad. (Calling ``model.eval()`` first is fine: the model
    you are given is already in eval mode.)

    Example::

        >>> model = build_binary_classifier(3)
        >>> forward_pass(model, torch.zeros(5, 3)).shape
        torch.Size([5, 1])

    Args:
        model: any ``nn.Module``; its parameters must not be changed.
        x: float tensor of shape ``(batch, in_features)``; must not be modified.

    Returns:
        The model's output for ``x``, with ``requires_grad == False``.
    """
    raise NotImplementedError("forward_pass is not done yet: replace this line with your code")


def predict_classes(probabilities: torch.Tensor) -> torch.Tensor:
    """Turn a classifier's output into predicted class indices.

    A multi-class classifier outputs one probability per class for each sample
    (shape ``(batch, classes)``); the prediction is the class with the highest
    probability, ``argmax`` along the last dimension.

    Example::

        >>> predict_classes(torch.tensor([[0.1, 0.7, 0.2], [0.8, 0.1, 0.1]]))
        tensor([1, 0])

    Args:
        probabilities: float tensor of shape ``(batch, classes)``; must not be modified.

    Returns:
        An ``int64`` tensor of shape ``(batch,)``.
    """
    raise NotImplementedError("predict_classes is not done yet: replace this line with your code")
