"""Every "?" explanation in one place, in words a twelve-year-old understands.

Taken from the original Signet LLM description; controls and panels look their text up here.
"""

HELP = {
    "training_data": (
        "This is the text the model will learn from. It breaks it into individual characters and "
        "tries to learn which characters tend to follow which. Pick a preset or paste your own "
        "text — longer text gives the model more to work with."
    ),
    "architecture": (
        "Changing any of these starts the model again from scratch.\n"
        "Heads: How many things the model can pay attention to at once. More heads = more "
        "patterns noticed simultaneously.\n"
        "Layers: How many times the model re-processes the text. More layers = deeper "
        "understanding, but slower.\n"
        "Embed: The size of each character's internal representation. Bigger = more nuance, but "
        "more to learn.\n"
        "Context: How many characters the model can look back at when predicting the next one."
    ),
    "training": (
        "Learning rate: How big a step the model takes each time it learns from a mistake. Too "
        "high = unstable, too low = slow progress.\n"
        "Temperature: Controls randomness when the model writes. Low = safe, repetitive choices. "
        "High = creative, risky choices.\n"
        "Speed: How many training steps to run per animation frame. Higher = faster training, "
        "lower = smoother visualisations."
    ),
    "step": (
        "Each step, the model reads a chunk of training text, predicts the next character, checks "
        "how wrong it was, and adjusts its weights. Thousands of steps are needed before it "
        "learns anything useful."
    ),
    "loss_status": (
        "Loss measures how wrong the model's predictions are. High loss = mostly guessing. Low "
        "loss = confident and correct. Watch it drop as the model learns. Small spikes are "
        "normal — some text chunks are harder than others."
    ),
    "sample": (
        "Every 200 steps, the model tries to write new text by predicting one character at a "
        "time. Early on it's pure gibberish. As training progresses, you'll see real words and "
        "phrases emerge. Character colour shows confidence: white = sure, blue = moderate, "
        "grey = guessing."
    ),
    "loss": (
        "The loss curve shows the model's prediction error over time. It should trend downward "
        "as the model learns. The blue line is smoothed to show the trend; occasional spikes are "
        "normal and mean the model hit a tricky section of text. The dotted line is what you get "
        "by just counting which letter pairs are common."
    ),
    "next_token": (
        "This shows the model's confidence for each possible next character, right now. Tall "
        "bars mean high confidence. Early on, the bars are roughly equal (random guessing). As it "
        "learns, a few characters will dominate — the model has opinions about what comes next."
    ),
    "embeddings": (
        "Each character gets an internal representation (a list of numbers). This plot projects "
        "those representations to 2D so you can see which characters the model considers "
        "similar. Characters that appear in similar contexts drift together. Colours: blue = "
        "vowels, green = consonants, amber = whitespace, purple = punctuation."
    ),
    "bigrams": (
        "A bigram is a pair of characters that appear next to each other (like \"t\" followed by "
        "\"h\"). This heatmap shows which character pairs the model thinks are likely. Brighter "
        "cells = stronger associations. The sentences on the right describe the top patterns in "
        "plain English."
    ),
    "attention": (
        "Attention is how the model decides which earlier characters matter when predicting the "
        "next one. Each arc connects two characters — thicker arcs mean stronger connections. "
        "Different heads (colours) can learn different patterns: one might focus on the previous "
        "character, while another looks further back for context."
    ),
}
