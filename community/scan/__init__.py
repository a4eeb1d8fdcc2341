"""The learning-culture scan (leercultuurscan): the questionnaire as data and its scoring.

Groundwork for issue 8: rounds, anonymous answering and the result pages come next.
"""
