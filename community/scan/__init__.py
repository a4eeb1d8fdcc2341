"""The learning-culture scan (leercultuurscan): the questionnaire as data and its scoring
(scoring), the results of a round (results), texts, chart and export, and the pages: the
managers' in views (which holds the blueprint) and the respondents' in answer, on the same
blueprint. This file imports nothing, so actions and reads can use the scoring without the pages.
"""
