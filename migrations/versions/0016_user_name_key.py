"""people search: users.name_key, the display name accent-folded and in lower case

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 16:45:00

"""
import unicodedata

from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def _fold(text):
    """community.folding.words as of this revision (migrations import no app code)."""
    strokes = {"Ł": "l", "ł": "l", "Ø": "o", "ø": "o", "Đ": "d", "đ": "d", "Ħ": "h", "ħ": "h", "ı": "i"}
    table = {ord(ch): base for ch, base in strokes.items()}
    for code in range(0xC0, 0x250):
        base = "".join(c for c in unicodedata.normalize("NFKD", chr(code)) if not unicodedata.combining(c)).lower()
        if len(base) == 1 and base.isascii() and base.isalpha() and base != chr(code):
            table[code] = base
    folded = (text or "").translate(table).lower()
    return "".join(" " + word for word in folded.replace("-", " ").split())


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=160), nullable=False, server_default=''))
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('display_name', sa.String),
                     sa.column('name_key', sa.String))
    connection = op.get_bind()
    rows = [{"user_id": user_id, "key": _fold(name)}
            for user_id, name in connection.execute(sa.select(users.c.id, users.c.display_name))]
    if rows:
        connection.execute(sa.update(users).where(users.c.id == sa.bindparam("user_id"))
                           .values(name_key=sa.bindparam("key")), rows)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('name_key')
