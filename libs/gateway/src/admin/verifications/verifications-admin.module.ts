import { Module } from '@nestjs/common';
import { VerificationsController } from './verifications.controller';

/** `/admin/verifications`: list with filters (stuck ones too), detail with the timeline. */
@Module({ controllers: [VerificationsController] })
export class VerificationsAdminModule {}
