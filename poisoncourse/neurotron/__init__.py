"""Lesson 3 · Neuro-Tron under label poisoning (Karmakar, Mukherjee & Papamarkou, 2023): the
batched Neuro-Tron and SGD recurrences (``experiment``), charts."""
