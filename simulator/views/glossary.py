"""Names in Spanish and the lesson's vocabulary: the glossary that :mod:`simulator.views.i18n`
uses for the built-in scenario and the shipped experiments, and the terms every text keeps."""

from __future__ import annotations

GLOSSARY: dict[str, str] = {
    # default scenario and friends_vs_ads
    "Word of mouth vs advertising for a small bakery, 1,000 EUR per channel": (
        "Boca a boca frente a publicidad para una pequeña panadería, 1.000 € por canal"
    ),
    "Are friends worth more than ads? A bakery spends 1,000 EUR on one channel": (
        "¿Valen más los amigos que los anuncios? Una panadería gasta 1.000 € en un solo canal"
    ),
    "word of mouth": "boca a boca",
    "free samples": "muestras gratuitas",
    "referral programme": "programa de recomendación",
    "newspaper": "periódico",
    "radio": "radio",
    "tv": "televisión",
    "social ads": "anuncios en medios sociales",
    "social page": "página en medios sociales",
    "facebook ads": "anuncios en Facebook",
    "instagram ads": "anuncios en Instagram",
    "facebook page": "página de Facebook",
    "all channels": "todos los canales",
    "no campaign": "sin campaña",
    # quality_vs_quantity
    "Quality or quantity? A Facebook page with many fans and dull posts vs few fans and "
    "posts people share": (
        "¿Calidad o cantidad? Una página de Facebook con muchos fans y publicaciones aburridas "
        "frente a pocos fans y publicaciones que la gente comparte"
    ),
    "many fans, dull posts": "muchos fans, publicaciones aburridas",
    "few fans, shared posts": "pocos fans, publicaciones que se comparten",
    "many fans, shared posts": "muchos fans, publicaciones que se comparten",
    "many fans, shared posts, shares as a friend's word": (
        "muchos fans, publicaciones que se comparten, cada una como palabra de un amigo"
    ),
    "few fans, dull posts": "pocos fans, publicaciones aburridas",
    # relationships_vs_fans
    "Relationships or fan counts? A page of 500 real followers, one of 2,000 bought fans, "
    "one grown from customers": (
        "¿Relaciones o número de fans? Una página de 500 seguidores reales, una de 2.000 fans "
        "comprados y una que crece con los clientes"
    ),
    "500 real followers": "500 seguidores reales",
    "2,000 bought fans": "2.000 fans comprados",
    "page grown from customers": "página que crece con los clientes",
    # right_medium
    "The right medium depends on the business: a bakery, a fashion shop and an accountant, "
    "1,000 EUR per channel": (
        "El medio adecuado depende del negocio: una panadería, una tienda de moda y una "
        "gestoría, 1.000 € por canal"
    ),
    "bakery": "panadería",
    "fashion shop": "tienda de moda",
    "accountant": "gestoría",
    # market_vs_online
    "Social network or social media? Free samples spread through the market, the platforms "
    "or both": (
        "¿Red social o medios sociales? Las muestras gratuitas se difunden por el mercado, "
        "por las plataformas o por ambos"
    ),
    "market only": "solo el mercado",
    "platforms only": "solo las plataformas",
    "market and platforms": "mercado y plataformas",
    # reputation
    "Reputation: what unhappy customers cost, from a poor product to an excellent one": (
        "Reputación: lo que cuestan los clientes insatisfechos, de un producto malo a uno excelente"
    ),
    "quality 50 %": "calidad 50 %",
    "quality 70 %": "calidad 70 %",
    "quality 90 %": "calidad 90 %",
    "quality 99 %": "calidad 99 %",
    "unhappy customers complain": "los insatisfechos se quejan",
    "unhappy customers keep quiet": "los insatisfechos callan",
    "replies to reviews": "respuestas a las reseñas",
    # seeding
    "Who should get the free samples? Random people, the best connected or the most central": (
        "¿A quién dar las muestras gratuitas? Al azar, a los más conectados o a los más centrales"
    ),
    "20 samples": "20 muestras",
    "100 samples": "100 muestras",
    "random": "al azar",
    "most connected": "los más conectados",
    "most central": "los más centrales",
    # layers and segments
    "market": "mercado",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "young": "jóvenes",
    "adult": "adultos",
    "senior": "mayores",
}
"""Spanish for the names used by the built-in scenario and the shipped experiments."""


VOCABULARY: dict[str, dict[str, str]] = {
    "social network": {
        "en": "social network: the people who interact, face to face or online",
        "es": "red social: las personas que se relacionan, en persona o en internet",
    },
    "social media": {
        "en": "social media: the platforms (Facebook, Instagram, X, Pinterest, blogs)",
        "es": "medios sociales: las plataformas (Facebook, Instagram, X, Pinterest, blogs)",
    },
    "word of mouth": {"en": "word of mouth", "es": "boca a boca"},
    "reach": {"en": "reach: people who heard of it", "es": "alcance: personas que lo conocen"},
    "adopter": {"en": "adopter: a first purchase", "es": "cliente: una primera compra"},
    "cost per adopter": {"en": "cost per adopter (€)", "es": "coste por cliente (€)"},
    "ad impression": {"en": "ad impression", "es": "impacto publicitario"},
    "social media ad": {"en": "social media ad", "es": "anuncio en medios sociales"},
    "free sample": {"en": "free sample", "es": "muestra gratuita"},
    "error bars": {
        "en": "error bars: 95 % intervals",
        "es": "barras de error: intervalos del 95 %",
    },
    "confidence interval": {
        "en": "95 % interval of the mean: where the average of many runs lies",
        "es": "intervalo del 95 % de la media: dónde está el promedio de muchas simulaciones",
    },
    "spread": {"en": "the spread, person by person", "es": "el boca a boca, persona a persona"},
}
"""The lesson's vocabulary, the same in every text: the *social network* is people (*red
social*), *social media* are platforms (*medios sociales*), so a Spanish text never says
"redes sociales" for ads, pages or online ties (``tests/test_i18n.py`` checks every text)."""
